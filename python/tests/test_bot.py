"""The 双11 conversation of examples/python/bot.py gives the recorded replies."""

import subprocess
import sys

from common import DOUBLE11, EXAMPLES

BOT = EXAMPLES / "python" / "bot.py"
EXPECTED = EXAMPLES / "python" / "expected_output.txt"


def test_bot_conversation_matches_expected_output():
    run = subprocess.run(
        [sys.executable, str(BOT), str(DOUBLE11)],
        capture_output=True,
        check=False,
        env=None,
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    assert run.stdout.decode("utf-8") == EXPECTED.read_text(encoding="utf-8")


def test_bot_defaults_to_the_double11_rules():
    run = subprocess.run([sys.executable, str(BOT)], capture_output=True, check=True)
    assert run.stdout == EXPECTED.read_bytes()
