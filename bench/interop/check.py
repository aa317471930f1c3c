"""Outside CI: Folio's exports and imports against the ecosystem's own code (transformers, nanoGPT's model.py).

  check.py hf --export DIR --url URL --model NAME [--prompt TEXT] [--tokens N]
      transformers' GPT2LMHeadModel.from_pretrained(DIR) logits vs Folio's /logits on the same text (all positions), the
      tokenizer's ids vs Folio's /tokenize, and transformers' greedy text vs Folio's greedy /generate.
  check.py nanogpt --nanogpt CHECKOUT --ckpt CKPT --meta META --url URL --model NAME [--prompt TEXT] [--tokens N]
      nanoGPT's own GPT (model.py from CHECKOUT) loaded from CKPT as sample.py loads it, vs Folio's /logits and greedy text.

Prints one line per figure; exits 1 when a figure is out of tolerance (1e-4 on logits, exact on text).
"""
import argparse
import json
import os
import pickle
import sys
import urllib.request

import torch

PROMPT = "ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun."


def post(url, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def folio_logits(args):
    answer = post(args.url, "/logits", {"model": args.model, "inputs": args.prompt, "positions": "all", "include_logits": True})
    return torch.tensor([p["logits"] for p in answer["positions"]])


def folio_greedy(args):
    answer = post(args.url, "/generate", {"model": args.model, "inputs": args.prompt,
                                          "parameters": {"max_new_tokens": args.tokens, "do_sample": False}})
    return answer["generated_text"]


def report(name, value, ok):
    print(f"{name}: {value} {'ok' if ok else 'FAILED'}")
    return ok


def check_hf(args):
    from transformers import AutoTokenizer, GPT2LMHeadModel
    tokenizer = AutoTokenizer.from_pretrained(args.export)
    model = GPT2LMHeadModel.from_pretrained(args.export).eval()
    ids = tokenizer(args.prompt).input_ids
    folio_ids = [t["id"] for t in json.loads(urllib.request.urlopen(urllib.request.Request(
        args.url + "/tokenize", data=json.dumps({"model": args.model, "inputs": args.prompt}).encode(),
        headers={"Content-Type": "application/json"})).read())]
    ok = report("tokenizer ids equal Folio's /tokenize", ids == folio_ids, ids == folio_ids)
    ok &= report("tokenizer round trip (spaces, newlines)", tokenizer.decode(ids) == args.prompt, tokenizer.decode(ids) == args.prompt)
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
        out = model.generate(torch.tensor([ids]), max_new_tokens=args.tokens, do_sample=False)
    diff = (logits - folio_logits(args)).abs().max().item()
    ok &= report(f"transformers vs Folio /logits, {len(ids)} positions x {logits.shape[-1]}: max |diff|", f"{diff:.3g}", diff <= 1e-4)
    text = tokenizer.decode(out[0][len(ids):])
    folio = folio_greedy(args)
    ok &= report(f"transformers greedy text ({args.tokens} tokens) equals Folio's", text == folio, text == folio)
    if text != folio:
        print("transformers:", repr(text), "\nFolio:       ", repr(folio))
    return ok


def check_nanogpt(args):
    sys.path.insert(0, args.nanogpt)
    from model import GPT, GPTConfig  # nanoGPT's own model.py, from its checkout
    checkpoint = torch.load(args.ckpt, map_location="cpu")
    model = GPT(GPTConfig(**checkpoint["model_args"]))
    state = {k.removeprefix("_orig_mod."): v for k, v in checkpoint["model"].items()}
    model.load_state_dict(state)
    model.eval()
    with open(args.meta, "rb") as f:
        meta = pickle.load(f)
    ids = [meta["stoi"][c] for c in args.prompt]
    x = torch.tensor([ids])
    with torch.no_grad():
        logits, _ = model(x, targets=x)  # with targets, nanoGPT returns every position's logits
        out = model.generate(x, args.tokens, temperature=1.0, top_k=1)  # sample.py with --top_k=1: greedy
    diff = (logits[0] - folio_logits(args)).abs().max().item()
    ok = report(f"nanoGPT model.py vs Folio /logits, {len(ids)} positions: max |diff|", f"{diff:.3g}", diff <= 1e-4)
    text = "".join(meta["itos"][i] for i in out[0][len(ids):].tolist())
    folio = folio_greedy(args)
    ok &= report(f"nanoGPT greedy text ({args.tokens} tokens) equals Folio's", text == folio, text == folio)
    if text != folio:
        print("nanoGPT:", repr(text), "\nFolio:  ", repr(folio))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["hf", "nanogpt"])
    parser.add_argument("--export")
    parser.add_argument("--nanogpt")
    parser.add_argument("--ckpt")
    parser.add_argument("--meta")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--model", default="shakespeare-char")
    parser.add_argument("--prompt", default=PROMPT)
    parser.add_argument("--tokens", type=int, default=200)
    args = parser.parse_args()
    torch.manual_seed(0)
    ok = check_hf(args) if args.what == "hf" else check_nanogpt(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
