import cProfile
import pstats

from tests.factories import drive, make_tree


def test_speed(db):
    tree = make_tree()
    drive(tree, "closed", forwarded=True)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(5):
        make_tree.__name__
        drive(tree, "closed", forwarded=True)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
