"""Opening hours become data: the free text is kept as the note, and a text that is one range
for every day ("09:00–21:00", "Mon–Sun 09:00-21:00", "每天 9:00-21:00") also fills the week."""

from django.db import migrations, models


def week_from_note(apps, schema_editor):
    from pawpact.partners.hours import week_from_text

    Partner = apps.get_model("partners", "Partner")
    for partner in Partner.objects.exclude(hours_note="").only("id", "hours_note"):
        week = week_from_text(partner.hours_note)
        if week:
            Partner.objects.filter(pk=partner.pk).update(weekly_hours=week)


class Migration(migrations.Migration):
    dependencies = [("partners", "0005_payment_held")]

    operations = [
        migrations.RenameField("partner", "opening_hours", "hours_note"),
        migrations.AlterField(
            "partner", "hours_note", models.CharField(blank=True, max_length=120, verbose_name="note on the hours")
        ),
        migrations.AddField(
            "partner", "weekly_hours", models.JSONField(blank=True, default=list, verbose_name="opening hours")
        ),
        migrations.RunPython(week_from_note, migrations.RunPython.noop),
    ]
