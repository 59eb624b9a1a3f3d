"""Language-model backends (lazy imports) and the generative LCEL chain with verified citations."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.config import LLMSettings
from assistant.errors import LLMUnavailable
from assistant.retrieve import retrieve
from store import Store
from store.lang import strings

logger = logging.getLogger(__name__)

REWRITE = (
    "Rewrite the last question so that it can be understood without the conversation. Keep its language. "
    "Reply with the rewritten question only."
)
PROMPT = ChatPromptTemplate.from_messages(
    [("system", "{system}"), ("human", "Passages:\n{passages}\n\nQuestion: {question}")]
)
REWRITE_PROMPT = ChatPromptTemplate.from_messages(
    [("system", REWRITE), ("human", "Conversation:\n{conversation}\n\nLast question: {question}")]
)


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over an in-process ``llama_cpp.Llama`` (GGUF file)."""

    model_path: str
    n_ctx: int = 2048
    temperature: float = 0.0
    max_tokens: int = 200
    _llm: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-citechat"

    def _client(self) -> Any:
        if self._llm is None:
            from llama_cpp import Llama

            self._llm = Llama(
                model_path=self.model_path, n_ctx=self.n_ctx, n_threads=os.cpu_count() or 2, verbose=False
            )
        return self._llm

    @staticmethod
    def _as_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        return [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                  **kwargs: Any) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop=stop))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for event in self._client().create_chat_completion(
            messages=self._as_dicts(messages), stream=True, temperature=self.temperature,
            max_tokens=self.max_tokens, stop=stop,
        ):
            delta = event["choices"][0]["delta"].get("content")
            if delta:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk


def make_chat_model(settings: LLMSettings) -> BaseChatModel:
    """The chat model named by ``settings.provider``.

    Raises:
        LLMUnavailable: the provider's extra is not installed or its settings are incomplete.
    """
    provider = settings.provider
    try:
        if provider == "llamacpp":
            import llama_cpp  # noqa: F401 - fail here, with the extra's name, rather than at first use

            if not settings.model_path or not settings.model_path.is_file():
                raise LLMUnavailable(
                    f"CITECHAT_LLM__MODEL_PATH must name a GGUF file (got {settings.model_path}); or use --llm none"
                )
            return LlamaCppChat(model_path=str(settings.model_path), n_ctx=settings.n_ctx,
                                temperature=settings.temperature, max_tokens=settings.max_tokens)
        if provider == "openai":
            from langchain_openai import ChatOpenAI

            key = settings.api_key.get_secret_value() if settings.api_key else os.environ.get("OPENAI_API_KEY")
            return ChatOpenAI(base_url=settings.base_url, model=settings.model or "default", api_key=key or "none",
                              temperature=settings.temperature, max_tokens=settings.max_tokens,
                              timeout=settings.timeout, max_retries=0)
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(base_url=settings.base_url or "http://127.0.0.1:11434", model=settings.model,
                              temperature=settings.temperature, num_predict=settings.max_tokens)
    except ImportError as exc:
        raise LLMUnavailable(
            f"the {provider} backend needs the llm extra: pip install 'citechat[llm]' ({exc.name} is missing); "
            "or use --llm none"
        ) from exc
    raise LLMUnavailable(f"unknown LLM provider {provider!r}; use none, llamacpp, openai or ollama")


def answer_chain(model: BaseChatModel):
    """prompt | model | text — the LCEL chain that drafts an answer from numbered passages."""
    return PROMPT | model | StrOutputParser()


def rewrite_chain(model: BaseChatModel):
    """prompt | model | text — rewrites a follow-up into a standalone question."""
    return REWRITE_PROMPT | model | StrOutputParser()


def system_prompt(language: str) -> str:
    """The system prompt in the question's language (English for languages without a module)."""
    return strings(language)["system_prompt"]


def numbered(passages: Sequence[str]) -> str:
    return "\n".join(f"[{i}] {text}" for i, text in enumerate(passages, start=1))


def describe_failure(settings: LLMSettings, exc: Exception) -> LLMUnavailable:
    """A one-line message naming what to check (the server URL, the model file)."""
    where = settings.base_url or settings.model_path or settings.provider
    return LLMUnavailable(
        f"the {settings.provider} model at {where} failed ({type(exc).__name__}: {str(exc)[:120]}); "
        "check that it is running, or use --llm none"
    )


class HybridRetriever(BaseRetriever):
    """The retrieve stage's candidates as a LangChain retriever (documents best first by cosine), for LCEL chains.

    It lives here, with the chains, so that importing the extractive path does not import langchain_core's
    retriever and tracer machinery (half of `import assistant`, measured with `python -X importtime`).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    k: int = 4

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        from assistant.question import prepare

        question = prepare(query)
        found = retrieve(self.store, question, self.store.embed_query(question.query))
        ranked = sorted(found.candidates, key=lambda c: -c.dense)[: self.k]
        return [
            Document(page_content=c.row.text, id=c.sid, metadata={
                "source": c.document.source, "title": c.document.title, "start": c.row.start, "end": c.row.end,
                "dense": c.dense, "bm25": c.bm25,
            })
            for c in ranked
        ]
