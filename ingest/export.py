"""The packaged model exported to ONNX (fp32, and int8 by per-channel dynamic quantization), cached.

The export runs locally from the model folder's weights (no download) the first time a backend is
used, and lands in a cache folder keyed by the model, its files and the backend, so it is made
once. Files are written to a temporary name and renamed, so a second process never reads half.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from talkrag.ingest.errors import ModelError

log = logging.getLogger(__name__)

# Bumped when the exported graph changes (inputs, pooling), so old cache entries are not reused.
EXPORT_VERSION = "2"  # 2: the token states are an output too (sentence vectors)
ONNX_BACKENDS = ("onnx", "onnx-int8")
# The files whose content decides the exported graph.
_MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json")


def default_cache_dir() -> Path:
    """Where exports are kept when TALKRAG_CACHE is not set: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "talkrag"


def cache_key(model_dir: Path, backend: str) -> str:
    """A short hash of the model's files (by size and mtime) and the backend.

    Size and mtime stand in for the weights' content: hashing 90 MB would cost every cold
    start ~0.2 s, and a reinstalled model (new mtime) is simply exported again.
    """
    digest = hashlib.sha256(f"{EXPORT_VERSION}\0{backend}\0{model_dir.resolve()}".encode())
    for name in _MODEL_FILES:
        path = model_dir / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"\0{name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def onnx_model(model_dir: Path, backend: str, cache_dir: Path | None = None) -> Path:
    """The ONNX file for the backend, exported (and quantized) into the cache on first use."""
    if backend not in ONNX_BACKENDS:
        raise ModelError(f"backend '{backend}' has no ONNX export (one of {ONNX_BACKENDS})")
    folder = (cache_dir or default_cache_dir()) / "onnx"
    target = folder / f"{model_dir.name}-{backend}-{cache_key(model_dir, backend)}.onnx"
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(
            f"{folder}: cannot create the model cache ({exc}); set TALKRAG_CACHE"
        ) from exc
    if backend == "onnx":
        _atomic(target, lambda tmp: _export_fp32(model_dir, tmp))
    else:
        fp32 = onnx_model(model_dir, "onnx", cache_dir)
        _atomic(target, lambda tmp: _quantize(fp32, tmp))
    log.info("exported %s to %s", model_dir, target)
    return target


def _atomic(target: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp makes it private; the cache is readable like any model file
        os.replace(tmp, target)  # atomic: readers see the old state or the whole file
    except (OSError, RuntimeError, ValueError, ImportError) as exc:
        raise ModelError(f"{target}: cannot export the model to ONNX ({exc})") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _export_fp32(model_dir: Path, out: Path) -> None:
    """Trace the transformer with mean pooling and L2 norm in the graph; token states out too."""
    import torch  # noqa: PLC0415  (only at export time, never on the query path)
    from transformers import AutoModel  # noqa: PLC0415
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    hf_logging.disable_progress_bar()  # no weight-loading bar on the user's terminal

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True)

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            tokens = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            summed = (tokens * mask).sum(1)
            mean = summed / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1), tokens

    model = Pooled().eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    # The tracer warns about shape checks it freezes; for an encoder they hold at any length
    # (tests compare against sentence-transformers at several lengths), so users need not see them.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(out),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding", "tokens"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "embedding": {0: "batch"},
                "tokens": axes,
            },
            opset_version=17,
            dynamo=False,
        )


def _quantize(fp32: Path, out: Path) -> None:
    """int8 weights, one scale per output channel: plain per-tensor QInt8 loses too much."""
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415

    quantize_dynamic(str(fp32), str(out), per_channel=True, weight_type=QuantType.QInt8)
