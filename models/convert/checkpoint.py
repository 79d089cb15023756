"""
Reads a Hugging Face checkpoint directory one tensor at a time: config.json, *.safetensors
shards (parsed by hand: 8-byte little-endian header length, JSON header, raw data; memory-mapped,
so a tensor costs memory only while it is being converted) or pytorch_model*.bin shards, an
optional PEFT LoRA adapter (merged per tensor: W + scale * B @ A) and an optional value head
(MARIO / trl layout: v_head.summary.weight [1, hidden] and v_head.summary.bias [1]).

Everything it refuses raises ConvertError with a message that names the problem.
"""
import json
import mmap
import os
import re
import struct

import numpy as np

ARCHITECTURES = {'llama': 'LlamaForCausalLM', 'mistral': 'MistralForCausalLM', 'qwen2': 'Qwen2ForCausalLM'}
PROJECTIONS = ('q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj')


class ConvertError(Exception):
    pass


# ----------------------------------------------------------------------------- safetensors

DTYPES = {'F32': np.float32, 'F16': np.float16, 'BF16': np.uint16, 'F64': np.float64, 'I64': np.int64, 'I32': np.int32}


def read_safetensors_header(path):
    with open(path, 'rb') as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise ConvertError(f'{path} is not a safetensors file (shorter than 8 bytes)')
        (n,) = struct.unpack('<Q', head)
        if n > 100_000_000:
            raise ConvertError(f'{path} is not a safetensors file (header length {n})')
        header = json.loads(fh.read(n))
    header.pop('__metadata__', None)
    return header, 8 + n


def to_float32(raw, dtype):
    """raw: a numpy view of the stored bytes in its own dtype; bf16 arrives as uint16."""
    if dtype == 'BF16':
        return (raw.astype(np.uint32) << 16).view(np.float32)
    return raw.astype(np.float32)


class SafetensorsFile:
    def __init__(self, path):
        self.path = path
        self.header, self.start = read_safetensors_header(path)
        self.fh = open(path, 'rb')
        size = os.fstat(self.fh.fileno()).st_size
        self.mm = mmap.mmap(self.fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        for name, t in self.header.items():
            if t['dtype'] not in DTYPES:
                raise ConvertError(f'{path}: tensor {name} has dtype {t["dtype"]}, which the converter does not read')
            if self.start + t['data_offsets'][1] > size:
                raise ConvertError(f'{path} is truncated: tensor {name} ends at byte {self.start + t["data_offsets"][1]} of {size}')

    def keys(self):
        return self.header.keys()

    def get(self, name):
        t = self.header[name]
        a, b = t['data_offsets']
        dt = np.dtype(DTYPES[t['dtype']])
        raw = np.frombuffer(self.mm, dtype=dt, count=(b - a) // dt.itemsize, offset=self.start + a).reshape(t['shape'])
        return to_float32(raw, t['dtype'])


def write_safetensors(path, tensors):
    """tensors: {name: numpy array (float32/float16) or torch tensor}. For tests and tools."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if hasattr(t, 'detach'):
            import torch
            if t.dtype == torch.bfloat16:
                data, dtype = (t.detach().contiguous().view(torch.int16).numpy().view(np.uint16)).tobytes(), 'BF16'
                header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
                blobs.append(data)
                offset += len(data)
                continue
            t = t.detach().cpu().numpy()
        dtype = {np.dtype(np.float32): 'F32', np.dtype(np.float16): 'F16'}[t.dtype]
        data = np.ascontiguousarray(t).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as fh:
        fh.write(struct.pack('<Q', len(h)) + h)
        for b in blobs:
            fh.write(b)


class TorchBinFile:
    """pytorch_model*.bin: a pickled state dict. torch 1.13 cannot mmap it, so the whole shard is loaded
    once (the reader keeps one .bin shard in memory at a time)."""
    def __init__(self, path):
        import torch
        self.path = path
        try:
            self.sd = torch.load(path, map_location='cpu')
        except Exception as e:
            raise ConvertError(f'{path} cannot be read as a PyTorch state dict: {e}')

    def keys(self):
        return self.sd.keys()

    def get(self, name):
        return self.sd[name].float().numpy()


# ----------------------------------------------------------------------------- the checkpoint

class Checkpoint:
    def __init__(self, path, adapter=None, value_head=None):
        self.path = path
        self._open = {}
        self.config = self._config()
        self.index = self._shards()
        self.lora = Adapter(adapter, self) if adapter else None
        self.value_head = self._value_head(value_head)

    # -- config
    def _config(self):
        p = os.path.join(self.path, 'config.json')
        if not os.path.exists(p):
            raise ConvertError(f'{self.path} has no config.json: not a Hugging Face checkpoint directory')
        with open(p) as fh:
            c = json.load(fh)
        mt = c.get('model_type')
        arch = (c.get('architectures') or [None])[0]
        if mt not in ARCHITECTURES or (arch and arch != ARCHITECTURES[mt]):
            raise ConvertError(f'unsupported architecture {arch} (model_type {mt!r}); the converter reads '
                               + ', '.join(f'{v} ({k})' for k, v in ARCHITECTURES.items()))
        if c.get('hidden_act', 'silu') != 'silu':
            raise ConvertError(f'unsupported activation {c["hidden_act"]!r}: only silu (SwiGLU) decoders are converted')
        rs = c.get('rope_scaling')
        if rs and (rs.get('type') or rs.get('rope_type')) not in ('linear', 'default'):
            raise ConvertError(f'unsupported rope_scaling {rs}: only none and linear are converted')
        c.setdefault('num_key_value_heads', c['num_attention_heads'])
        c['head_dim'] = c.get('head_dim') or c['hidden_size'] // c['num_attention_heads']
        c.setdefault('rope_theta', 10000.0)
        c.setdefault('rms_norm_eps', 1e-6)
        c['tie_word_embeddings'] = bool(c.get('tie_word_embeddings', False))  # the default of all three config classes
        return c

    # -- shards
    def _shards(self):
        """{tensor name: file}; every file the index names must exist."""
        names = os.listdir(self.path)
        for index_name, kind in (('model.safetensors.index.json', 'st'), ('pytorch_model.bin.index.json', 'bin')):
            if index_name in names:
                with open(os.path.join(self.path, index_name)) as fh:
                    wm = json.load(fh)['weight_map']
                files = sorted(set(wm.values()))
                missing = [f for f in files if not os.path.exists(os.path.join(self.path, f))]
                if missing:
                    raise ConvertError(f'missing shards: {", ".join(missing)} (named by {index_name}, not in {self.path})')
                return {k: os.path.join(self.path, v) for k, v in wm.items()}
        single = [f for f in names if f.endswith('.safetensors') and not f.startswith(('adapter_', 'value_head'))]
        if not single:
            single = [f for f in names if re.fullmatch(r'pytorch_model(-\d+-of-\d+)?\.bin', f)]
        if not single:
            raise ConvertError(f'{self.path} has no weights: no model.safetensors(.index.json) or pytorch_model*.bin')
        m = [re.fullmatch(r'.*-(\d+)-of-(\d+)\.(safetensors|bin)', f) for f in single]
        if any(m):
            total = int(next(x for x in m if x).group(2))
            have = {int(x.group(1)) for x in m if x}
            gone = [i for i in range(1, total + 1) if i not in have]
            if gone:
                raise ConvertError(f'missing shards: {", ".join(f"{i} of {total}" for i in gone)} (no index file, and not every numbered shard is in {self.path})')
        index = {}
        for f in sorted(single):
            for k in self._file(os.path.join(self.path, f)).keys():
                index[k] = os.path.join(self.path, f)
        return index

    def _file(self, path):
        if path not in self._open:
            if path.endswith('.bin'):  # keep at most one pickled shard in memory
                for p in [p for p in self._open if p.endswith('.bin')]:
                    del self._open[p]
                self._open[path] = TorchBinFile(path)
            else:
                self._open[path] = SafetensorsFile(path)
        return self._open[path]

    def has(self, name):
        return name in self.index

    def raw(self, name):
        if name not in self.index:
            raise ConvertError(f'the checkpoint lacks tensor {name}')
        return self._file(self.index[name]).get(name)

    def tensor(self, name, shape=None):
        """float32 numpy array, with the adapter's change merged in."""
        w = self.raw(name)
        if shape is not None and tuple(w.shape) != tuple(shape):
            raise ConvertError(f'tensor {name} has shape {list(w.shape)}, config.json implies {list(shape)}')
        if self.lora:
            w = self.lora.merge(name, w)
        return w

    # -- value head
    def _value_head(self, given):
        h = self.config['hidden_size']
        candidates = [given] if given else []
        dirs = [self.path] + ([self.lora.path] if self.lora else [])
        for d in dirs:
            candidates += [os.path.join(d, n) for n in ('value_head.safetensors', 'value_head.pth', 'value_head.bin')]
        tensors = None
        for c in candidates:
            if c and os.path.exists(c):
                if c.endswith('.safetensors'):
                    f = SafetensorsFile(c)
                    tensors = {k: f.get(k) for k in f.keys()}
                else:
                    import torch
                    tensors = {k: v.float().numpy() for k, v in torch.load(c, map_location='cpu').items()}
                source = c
                break
            if c == given:
                raise ConvertError(f'value head file {given} does not exist')
        if tensors is None and self.has('v_head.summary.weight'):
            tensors = {k: self.raw(k) for k in ('v_head.summary.weight', 'v_head.summary.bias') if self.has(k)}
            source = 'checkpoint shards'
        if tensors is None:
            return None
        tensors = {re.sub(r'^(pretrained_model\.|base_model\.model\.)', '', k): v for k, v in tensors.items()}
        w, b = tensors.get('v_head.summary.weight'), tensors.get('v_head.summary.bias')
        if w is None:
            raise ConvertError(f'value head {source} has no v_head.summary.weight (has {", ".join(tensors)})')
        if tuple(w.shape) != (1, h):
            raise ConvertError(f'value head {source}: v_head.summary.weight has shape {list(w.shape)}, expected [1, {h}] (hidden_size)')
        return {'weight': w, 'bias': b if b is not None else np.zeros(1, np.float32), 'source': source}


class Adapter:
    """A PEFT LoRA adapter: adapter_config.json + adapter_model.safetensors (or .bin)."""
    def __init__(self, path, ckpt):
        self.path = path
        p = os.path.join(path, 'adapter_config.json')
        if not os.path.exists(p):
            raise ConvertError(f'{path} has no adapter_config.json: not a PEFT adapter directory')
        with open(p) as fh:
            c = json.load(fh)
        if c.get('peft_type', 'LORA') != 'LORA':
            raise ConvertError(f'unsupported adapter type {c.get("peft_type")}: only LoRA adapters are merged')
        if c.get('fan_in_fan_out'):
            raise ConvertError('adapter has fan_in_fan_out=true (GPT-2 style Conv1D): not a Llama/Mistral/Qwen2 adapter')
        if c.get('rank_pattern') or c.get('alpha_pattern') or c.get('use_dora'):
            raise ConvertError('adapter uses rank_pattern/alpha_pattern/DoRA, which the converter does not merge')
        r, alpha = c['r'], c.get('lora_alpha', c['r'])
        self.scale = alpha / (r ** 0.5) if c.get('use_rslora') else alpha / r
        self.config = c
        files = [f for f in ('adapter_model.safetensors', 'adapter_model.bin') if os.path.exists(os.path.join(path, f))]
        if not files:
            raise ConvertError(f'{path} has no adapter_model.safetensors or adapter_model.bin')
        f = os.path.join(path, files[0])
        src = SafetensorsFile(f) if f.endswith('.safetensors') else TorchBinFile(f)
        self.pairs, self.full = {}, {}
        for k in src.keys():
            m = re.fullmatch(r'base_model\.model\.(.+)\.lora_([AB])(?:\.\w+)?\.weight', k)
            if m:
                self.pairs.setdefault(m.group(1) + '.weight', {})[m.group(2)] = src.get(k)
            elif k.startswith('base_model.model.'):
                self.full[k[len('base_model.model.'):].replace('.modules_to_save.default', '').replace('.original_module', '')] = src.get(k)
        # Check every pair against the base now, so a bad adapter fails before any output is written.
        for name, ab in self.pairs.items():
            if set(ab) != {'A', 'B'}:
                raise ConvertError(f'adapter tensor {name}: has lora_{"".join(ab)} but not both lora_A and lora_B')
            if not ckpt.has(name):
                raise ConvertError(f'adapter targets {name}, which the base checkpoint does not have')
            a, b = ab['A'], ab['B']
            out_in = ckpt_shape(ckpt, name)
            if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[1] or b.shape[0] != out_in[0] or a.shape[1] != out_in[1]:
                raise ConvertError(f'adapter shapes do not match {name} {list(out_in)}: lora_A {list(a.shape)}, lora_B {list(b.shape)} '
                                   f'(expected lora_A [r, {out_in[1]}] and lora_B [{out_in[0]}, r])')
        self.used = set()

    def merge(self, name, w):
        if name in self.full:
            self.used.add(name)
            return self.full[name].astype(np.float32)
        ab = self.pairs.get(name)
        if ab is None:
            return w
        self.used.add(name)
        return w + self.scale * (ab['B'] @ ab['A'])


def ckpt_shape(ckpt, name):
    f = ckpt._file(ckpt.index[name])
    if isinstance(f, SafetensorsFile):
        return tuple(f.header[name]['shape'])
    return tuple(f.sd[name].shape)
