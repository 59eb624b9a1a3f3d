"""citechat: answers about a news article, every claim backed by a verbatim, offset-exact quote."""

from assistant.answer import Assistant, Response, answer
from assistant.config import Settings
from assistant.errors import AssistantError, InvalidQuestion, UnknownSource
from assistant.types import Answer, Citation

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "InvalidQuestion",
    "Response",
    "Settings",
    "UnknownSource",
    "answer",
]
