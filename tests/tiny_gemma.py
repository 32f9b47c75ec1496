"""A tiny, randomly initialised Gemma-3-shaped model for pipeline tests: made in transformers and
written as a llama.cpp GGUF with the real Gemma tokenizer (copied from the embedded model), so
the training pipeline and llama.cpp both accept it. 2 layers, 64 wide: seconds on a CPU."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import torch

HIDDEN, LAYERS, HEADS, KV_HEADS, HEAD_DIM, FF = 64, 2, 2, 1, 32, 128


def make_tiny_gemma_gguf(real_gguf: Path, out: Path, seed: int = 0) -> Path:
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    reader = gguf.GGUFReader(str(real_gguf))
    vocab = len(reader.fields["tokenizer.ggml.tokens"].data)
    torch.manual_seed(seed)
    config = Gemma3TextConfig(
        vocab_size=vocab,
        hidden_size=HIDDEN,
        intermediate_size=FF,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        num_key_value_heads=KV_HEADS,
        head_dim=HEAD_DIM,
        max_position_embeddings=512,
        sliding_window=512,
        query_pre_attn_scalar=HEAD_DIM,
    )
    model = Gemma3ForCausalLM(config).eval()
    sd = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}

    writer = gguf.GGUFWriter(str(out), "gemma3")
    writer.add_name("tiny-gemma3-test")
    writer.add_context_length(512)
    writer.add_embedding_length(HIDDEN)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FF)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_key_length(HEAD_DIM)
    writer.add_value_length(HEAD_DIM)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_sliding_window(512)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    for f in reader.fields.values():
        if f.name.startswith("tokenizer."):
            vtype = f.types[0]
            sub = f.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
            writer.add_key_value(f.name, f.contents(), vtype, sub_type=sub)

    def norm(key: str) -> np.ndarray:  # llama.cpp stores Gemma's RMSNorm weight as 1 + w
        return (1.0 + sd[key]).astype(np.float32)

    writer.add_tensor("token_embd.weight", sd["model.embed_tokens.weight"])
    writer.add_tensor("output_norm.weight", norm("model.norm.weight"))
    for i in range(LAYERS):
        p, b = f"model.layers.{i}.", f"blk.{i}."
        for hf, gg in (
            ("self_attn.q_proj", "attn_q"),
            ("self_attn.k_proj", "attn_k"),
            ("self_attn.v_proj", "attn_v"),
            ("self_attn.o_proj", "attn_output"),
            ("mlp.gate_proj", "ffn_gate"),
            ("mlp.up_proj", "ffn_up"),
            ("mlp.down_proj", "ffn_down"),
        ):
            writer.add_tensor(f"{b}{gg}.weight", sd[f"{p}{hf}.weight"])
        for hf, gg in (
            ("input_layernorm", "attn_norm"),
            ("self_attn.q_norm", "attn_q_norm"),
            ("self_attn.k_norm", "attn_k_norm"),
            ("post_attention_layernorm", "post_attention_norm"),
            ("pre_feedforward_layernorm", "ffn_norm"),
            ("post_feedforward_layernorm", "post_ffw_norm"),
        ):
            writer.add_tensor(f"{b}{gg}.weight", norm(f"{p}{hf}.weight"))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
