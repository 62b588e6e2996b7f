"""A distinct sound per scan result, so a packer who is not looking at the screen still knows:
a bright rising chirp for printed, two level notes for "scan again", a low triple buzz for not
printed. The sounds are made here (a few kilobytes of WAV each) and played without blocking by
the platform's own player; with none, the system beep stands in for the two that need
attention."""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
import struct
import subprocess
import sys
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication

from slipstation.gui.banners import Tone

log = logging.getLogger(__name__)
RATE = 16_000


@dataclass(frozen=True)
class Note:
    hertz: float
    seconds: float
    square: bool = False  # a buzz rather than a tone


# (note, silence after it) pairs; BUSY is silent
MELODIES: dict[Tone, tuple[tuple[Note, float], ...]] = {
    Tone.OK: ((Note(1046.5, 0.07), 0.0), (Note(1568.0, 0.11), 0.0)),
    Tone.ASK: ((Note(659.3, 0.14), 0.08), (Note(659.3, 0.14), 0.0)),
    Tone.BAD: ((Note(196.0, 0.16, square=True), 0.05), (Note(196.0, 0.16, square=True), 0.05),
               (Note(196.0, 0.22, square=True), 0.0)),
}
PLAYERS = ("pw-play", "paplay", "aplay")  # PipeWire, PulseAudio, ALSA


def render(tone: Tone) -> bytes:
    """The tone's melody as 16-bit mono PCM samples (soft edges, no clicks)."""
    frames = bytearray()
    for note, pause in MELODIES.get(tone, ()):
        count = int(note.seconds * RATE)
        fade = max(1, int(0.008 * RATE))
        for i in range(count):
            phase = math.sin(2 * math.pi * note.hertz * i / RATE)
            value = (1.0 if phase >= 0 else -1.0) * 0.45 if note.square else phase * 0.7
            edge = min(1.0, i / fade, (count - 1 - i) / fade)
            frames += struct.pack("<h", int(value * edge * 32767))
        frames += bytes(2 * int(pause * RATE))
    return bytes(frames)


def write_wav(path: Path, samples: bytes) -> None:
    partial = path.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples)
    partial.replace(path)


class Sounds:
    """Plays the sound of a scan result; `last` is what it played (for the window's tests)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._ready = threading.Event()
        self._player = self._find_player()
        self._children: list[subprocess.Popen[bytes]] = []
        self.last: Tone | None = None
        self.how = "not yet"
        # Writing the files is disk work: never on the GUI thread.
        threading.Thread(target=self._prepare, name="sounds", daemon=True).start()

    def path(self, tone: Tone) -> Path:
        return self._folder / f"scan-{tone.value}.wav"

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def _prepare(self) -> None:
        try:
            self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            for tone in MELODIES:
                if not self.path(tone).exists():
                    write_wav(self.path(tone), render(tone))
        except OSError as exc:
            log.warning("scan sounds unavailable (%s); the system beep stands in",
                        type(exc).__name__)
            return
        self._ready.set()

    @staticmethod
    def _find_player() -> list[str] | None:
        if sys.platform == "darwin":
            return ["afplay"]
        if sys.platform == "win32":
            return None  # winsound, below
        for name in PLAYERS:
            if (found := shutil.which(name)) is not None:
                return [found]
        return None

    def play(self, tone: Tone) -> None:
        self.last = tone
        if tone not in MELODIES:
            self.how = "silent"
            return
        self._children = [child for child in self._children if child.poll() is None]
        if self._ready.is_set():
            if sys.platform == "win32":
                import winsound

                winsound.PlaySound(str(self.path(tone)),
                                   winsound.SND_FILENAME | winsound.SND_ASYNC)
                self.how = "winsound"
                return
            if self._player is not None:
                with contextlib.suppress(OSError):
                    self._children.append(subprocess.Popen(
                        [*self._player, str(self.path(tone))], stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    self.how = Path(self._player[0]).name
                    return
        if tone is not Tone.OK:
            QApplication.beep()  # the packer may not be looking at the screen
        self.how = "beep" if tone is not Tone.OK else "silent"
