"""
A small Llama-shaped decoder (RMSNorm, rotary positions, SwiGLU, grouped-query
attention) with an outcome value head on the last hidden state, the shape MARIO's
OVM uses: the same network generates (logits) and scores (values).

forward() takes the decoder inputs transformers.js uses (input_ids, attention_mask,
position_ids, past key/values) and returns logits, values (sigmoid applied) and the
present key/values, so the same module is trained and exported to ONNX.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 1958
    hidden_size: int = 160
    num_layers: int = 4
    num_heads: int = 4
    num_kv_heads: int = 2
    intermediate_size: int = 432
    max_positions: int = 512
    rope_theta: float = 10000.0
    rms_eps: float = 1e-5
    lora_rank: int = 0  # > 0 adds LoRA adapters on attention and MLP projections (OVM stage)

    @property
    def head_dim(self):
        return self.hidden_size // self.num_heads

    def to_dict(self):
        return asdict(self)


class LoRALinear(nn.Module):
    def __init__(self, fin, fout, rank, bias=False):
        super().__init__()
        self.base = nn.Linear(fin, fout, bias=bias)
        self.rank = rank
        if rank:
            self.a = nn.Parameter(torch.randn(rank, fin) / math.sqrt(fin))
            self.b = nn.Parameter(torch.zeros(fout, rank))

    def forward(self, x):
        y = self.base(x)
        if self.rank:
            y = y + (x @ self.a.t()) @ self.b.t()
        return y

    def merge(self):
        if self.rank:
            with torch.no_grad():
                self.base.weight += self.b @ self.a
            self.rank = 0
            del self.a, self.b


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def _repeat_kv(x, rep):
    """[b, kv_heads, t, d] -> [b, kv_heads * rep, t, d], with shapes read at run time (ONNX-exportable)."""
    if rep == 1:
        return x
    b, h, t, d = x.shape
    return x[:, :, None, :, :].expand(b, h, rep, t, d).reshape(b, h * rep, t, d)


class Block(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        hd, r = c.head_dim, c.lora_rank
        self.norm1 = RMSNorm(c.hidden_size, c.rms_eps)
        self.q = LoRALinear(c.hidden_size, c.num_heads * hd, r)
        self.k = LoRALinear(c.hidden_size, c.num_kv_heads * hd, r)
        self.v = LoRALinear(c.hidden_size, c.num_kv_heads * hd, r)
        self.o = LoRALinear(c.num_heads * hd, c.hidden_size, r)
        self.norm2 = RMSNorm(c.hidden_size, c.rms_eps)
        self.gate = LoRALinear(c.hidden_size, c.intermediate_size, r)
        self.up = LoRALinear(c.hidden_size, c.intermediate_size, r)
        self.down = LoRALinear(c.intermediate_size, c.hidden_size, r)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        c = self.c
        b, s, _ = x.shape
        hd = c.head_dim
        h = self.norm1(x)
        q = self.q(h).view(b, s, c.num_heads, hd).transpose(1, 2)
        k = self.k(h).view(b, s, c.num_kv_heads, hd).transpose(1, 2)
        v = self.v(h).view(b, s, c.num_kv_heads, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = c.num_heads // c.num_kv_heads
        kk = _repeat_kv(k, rep)
        vv = _repeat_kv(v, rep)
        att = (q @ kk.transpose(-1, -2)) / math.sqrt(hd) + mask
        att = torch.softmax(att, dim=-1)
        y = (att @ vv).transpose(1, 2).reshape(b, s, c.num_heads * hd)
        x = x + self.o(y)
        h = self.norm2(x)
        x = x + self.down(F.silu(self.gate(h)) * self.up(h))
        return x, k, v


class Decoder(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c.vocab_size, c.hidden_size)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.num_layers))
        self.norm = RMSNorm(c.hidden_size, c.rms_eps)
        self.value_head = nn.Linear(c.hidden_size, 1)
        inv = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2).float() / c.head_dim))
        self.register_buffer('inv_freq', inv, persistent=False)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def empty_past(self, batch):
        c = self.c
        z = torch.zeros(batch, c.num_kv_heads, 0, c.head_dim)
        return [(z, z) for _ in range(c.num_layers)]

    def forward(self, input_ids, attention_mask, position_ids, past):
        """past: list of (key, value) per layer, [b, kv_heads, past_len, head_dim]."""
        b, s = input_ids.shape
        x = self.embed(input_ids)
        freqs = position_ids.float().unsqueeze(-1) * self.inv_freq  # b, s, hd/2
        emb = torch.cat([freqs, freqs], dim=-1).unsqueeze(1)  # b, 1, s, hd
        cos, sin = emb.cos(), emb.sin()
        total = attention_mask.shape[1]
        past_len = total - s
        # Causal within the new tokens, everything before them visible; padded keys hidden.
        qi = torch.arange(s).unsqueeze(1) + past_len
        ki = torch.arange(total).unsqueeze(0)
        allowed = (ki <= qi).unsqueeze(0).unsqueeze(0) & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, torch.zeros(()), torch.full((), -1e9))
        present = []
        for block, (pk, pv) in zip(self.blocks, past):
            x, k, v = block(x, cos, sin, mask, pk, pv)
            present.append((k, v))
        h = self.norm(x)
        logits = h @ self.embed.weight.t()
        values = torch.sigmoid(self.value_head(h).squeeze(-1))
        return logits, values, present

    def merge_lora(self):
        for m in self.modules():
            if isinstance(m, LoRALinear):
                m.merge()
        self.c.lora_rank = 0

    def num_parameters(self):
        return sum(p.numel() for p in self.parameters())
