"""TalkChatEngine: follow-up questions through talkrag, as a LlamaIndex chat engine."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.chat_engine.types import (
    AgentChatResponse,
    BaseChatEngine,
    StreamingAgentChatResponse,
)
from llama_index.core.memory import ChatMemoryBuffer
from talkrag.faces.llamaindex import TalkQueryEngine
from talkrag.faces.llamaindex_nodes import answer_metadata, citation_to_node
from talkrag.rag.models import Filters

MEMORY_TOKENS = 3000  # whitespace tokens of conversation kept for condensing follow-ups


def _words(text: str) -> list[str]:
    # ChatMemoryBuffer's default tokenizer is tiktoken's, which downloads its table on first use
    return text.split()


class TalkChatEngine(BaseChatEngine):
    """Chat over a talkrag index: each turn is `talkrag ask` with the conversation so far."""

    def __init__(self, query_engine: TalkQueryEngine, memory: ChatMemoryBuffer | None = None):
        self.query_engine = query_engine
        self.memory = memory or ChatMemoryBuffer.from_defaults(
            token_limit=MEMORY_TOKENS, tokenizer_fn=_words
        )

    @classmethod
    def from_dir(
        cls, db: Path | str | None = None, filters: Filters | None = None, **settings: Any
    ) -> TalkChatEngine:
        """Open the index at db; settings as RagSettings fields (mode, k, llm_base_url, ...)."""
        return cls(TalkQueryEngine.from_dir(db, filters, **settings))

    def chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> AgentChatResponse:
        """Answer one turn; chat_history, when given, replaces the memory."""
        if chat_history is not None:
            self.memory.set(chat_history)
        history = [
            {"role": m.role.value, "content": m.content or ""}
            for m in self.memory.get()
            if m.role in (MessageRole.USER, MessageRole.ASSISTANT)
        ]
        result = self.query_engine.answer(message, history)
        self.memory.put(ChatMessage(role=MessageRole.USER, content=message))
        self.memory.put(ChatMessage(role=MessageRole.ASSISTANT, content=result.answer))
        return AgentChatResponse(
            response=result.answer,
            source_nodes=[citation_to_node(c) for c in result.citations],
            metadata=answer_metadata(result),
        )

    def stream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        """chat(), delivered as one piece: the answer is checked before any of it is shown."""
        done = self.chat(message, chat_history)
        return StreamingAgentChatResponse(
            response=done.response, source_nodes=done.source_nodes, is_writing_to_memory=False
        )

    async def achat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> AgentChatResponse:
        """chat() in a worker thread."""
        return await asyncio.to_thread(self.chat, message, chat_history)

    async def astream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        """stream_chat() in a worker thread."""
        return await asyncio.to_thread(self.stream_chat, message, chat_history)

    def reset(self) -> None:
        """Forget the conversation."""
        self.memory.reset()

    @property
    def chat_history(self) -> list[ChatMessage]:
        """The conversation so far."""
        return self.memory.get_all()
