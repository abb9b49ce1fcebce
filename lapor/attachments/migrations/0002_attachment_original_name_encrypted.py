"""Move attachments' original file names into the identity vault (issue 18, addendum).

A name like ``KTP_<name>_<phone>.png`` identifies an anonymous reporter as surely as the
contact fields do, so it is stored encrypted like them (Fernet under the current key,
``lapor keys rotate`` re-encrypts it). The column is renamed so no reader can take the token
for the name. The data step encrypts every existing name; a value that already opens as a
token is left as it is, so re-running is harmless. Reversible: going back decrypts the names
into the plain 120-character column (the keys must still be configured).
"""

from django.db import migrations, models

BATCH = 500


def _plaintext(vault, value):
    """The plaintext of a stored value: decrypted if it is already a token, else itself."""
    if not value:
        return ""
    try:
        return vault.decrypt(value)
    except (vault.InvalidToken, UnicodeError, ValueError):
        return value


def _convert(apps, convert):
    Attachment = apps.get_model("attachments", "Attachment")
    last = 0
    while True:
        rows = list(Attachment.objects.filter(pk__gt=last).order_by("pk")
                    .only("pk", "original_name_encrypted")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.original_name_encrypted = convert(row.original_name_encrypted)
        Attachment.objects.bulk_update(rows, ["original_name_encrypted"])
        last = rows[-1].pk


def encrypt_names(apps, schema_editor):
    from lapor.privacy import vault  # the vault module has no models: safe in a migration

    _convert(apps, lambda value: vault.encrypt(_plaintext(vault, value)))


def decrypt_names(apps, schema_editor):
    from lapor.privacy import vault

    _convert(apps, lambda value: _plaintext(vault, value)[:120])


class Migration(migrations.Migration):

    dependencies = [
        ("attachments", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="attachment",
            old_name="original_name",
            new_name="original_name_encrypted",
        ),
        migrations.AlterField(
            model_name="attachment",
            name="original_name_encrypted",
            field=models.TextField(),
        ),
        migrations.RunPython(encrypt_names, decrypt_names),
    ]
