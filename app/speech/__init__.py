"""Text-to-speech on its own worker thread (pyttsx3 + espeak-ng), Qt-free.

    speaker = Speaker(rate=175, volume=1.0)
    future = speaker.say("Quiero beber agua.", "es")    # Future[SpeechResult], never raises
    speaker.save_to_wav("I want water.", "en", "out.wav").result(timeout=60)
    speaker.stop(); speaker.close()

If no engine can start, `speaker.unavailable_reason` says why (once) and every request completes
as UNAVAILABLE: show the text on screen instead.
"""

from app.speech.engine import EngineUnavailable, SynthesisError, create_engine
from app.speech.tts import DEFAULT_RATE, Speaker, SpeechResult, SpeechStatus
from app.speech.voices import VoiceChoice, VoiceInfo, pick_voice

__all__ = [
    "DEFAULT_RATE",
    "EngineUnavailable",
    "Speaker",
    "SpeechResult",
    "SpeechStatus",
    "SynthesisError",
    "VoiceChoice",
    "VoiceInfo",
    "create_engine",
    "pick_voice",
]
