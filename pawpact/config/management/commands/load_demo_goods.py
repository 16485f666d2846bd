from django.core.management.base import BaseCommand

from pawpact.config.demo_goods import demo_goods_load


class Command(BaseCommand):
    help = (
        "Register the sandbox warehouse (waiting for it to answer), import its catalog, link the demo "
        "shops and put some of its products on sale there. Only what is missing is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=60, help="Seconds to wait for the warehouse to answer.")

    def handle(self, *args, **options):
        # Each step is printed as it ends (flushed), so `./dev run` shows progress, not one late block.
        def say(note: str) -> None:
            self.stdout.write(f"Demo goods: {note}")
            self.stdout.flush()

        demo_goods_load(wait_seconds=options["wait"], say=say)
