"""The same ingest in LlamaIndex: a careful setup that embeds every word, and the quickstart's.

Needs the `bench` extra (llama-index-embeddings-huggingface, llama-index-vector-stores-chroma);
without it the rows are skipped with that reason.
"""

from __future__ import annotations

import time
from importlib.util import find_spec
from pathlib import Path

from tokenizers import Tokenizer

MODEL_LIMIT = 256  # word pieces the model reads, [CLS] and [SEP] included
PARTS = ("llama_index.embeddings.huggingface", "llama_index.vector_stores.chroma")


def missing() -> str | None:
    """Why the LlamaIndex rows cannot run, or None when they can."""
    try:
        absent = [p for p in PARTS if find_spec(p) is None]
    except ModuleNotFoundError:
        absent = list(PARTS)
    return f"pip install -e '.[bench]' ({', '.join(absent)} missing)" if absent else None


def careful(library: Path, model_dir: Path, work: Path) -> float:
    """SimpleDirectoryReader -> SentenceSplitter (model tokenizer, < 256) -> HF -> Chroma."""
    import chromadb  # noqa: PLC0415
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex  # noqa: PLC0415
    from llama_index.core.node_parser import SentenceSplitter  # noqa: PLC0415
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding  # noqa: PLC0415
    from llama_index.vector_stores.chroma import ChromaVectorStore  # noqa: PLC0415

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()  # tokenizer.json pads to 128: counts must be of real pieces
    embed = HuggingFaceEmbedding(model_name=str(model_dir), device="cpu", embed_batch_size=64)
    embed.get_text_embedding("warm up the model")  # model load is not ingest throughput
    began = time.perf_counter()
    docs = SimpleDirectoryReader(str(library)).load_data()
    splitter = SentenceSplitter(
        chunk_size=MODEL_LIMIT - 2,  # metadata counted in, special tokens left room
        chunk_overlap=48,
        tokenizer=lambda text: tokenizer.encode(text, add_special_tokens=False).ids,
    )
    collection = chromadb.PersistentClient(path=str(work)).create_collection("llama")
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(collection))
    VectorStoreIndex.from_documents(
        docs, storage_context=storage, embed_model=embed, transformations=[splitter]
    )
    return time.perf_counter() - began


def quickstart(library: Path, model_dir: Path) -> tuple[float, float]:
    """The quickstart's defaults (1024-token chunks): seconds, and the share of words cut off."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex  # noqa: PLC0415
    from llama_index.core.node_parser import SentenceSplitter  # noqa: PLC0415
    from llama_index.core.schema import MetadataMode  # noqa: PLC0415
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding  # noqa: PLC0415

    embed = HuggingFaceEmbedding(model_name=str(model_dir), device="cpu")
    embed.get_text_embedding("warm up the model")
    began = time.perf_counter()
    docs = SimpleDirectoryReader(str(library)).load_data()
    index = VectorStoreIndex.from_documents(docs, embed_model=embed)
    seconds = time.perf_counter() - began
    nodes = SentenceSplitter().get_nodes_from_documents(docs)  # the same default split
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()  # tokenizer.json pads to 128: counts must be of real pieces
    total = cut = 0
    for node in nodes:
        text = node.get_content(metadata_mode=MetadataMode.EMBED)
        offsets = tokenizer.encode(text).offsets
        total += len(text.split())
        if len(offsets) > MODEL_LIMIT:  # the model reads up to the 255th piece, then [SEP]
            cut += len(text[offsets[MODEL_LIMIT - 2][1] :].split())
    del index
    return seconds, cut / max(total, 1)
