#!/usr/bin/env python3
"""Rewrites tests/fixtures/tv_alexnet_legacy.pth with real PyTorch (legacy, non-zip torch.save format).

make_fixtures.py writes a hand-made legacy file when PyTorch is absent, but real torch.load rejects
its persistent ids; the committed fixture was made by this script with PyTorch 2.15.0 from the zip
fixture (same tensors), so the legacy-format test reads a file PyTorch itself wrote.
Usage: python3 scripts/make_legacy_fixture_with_torch.py   (needs torch)
"""
import os

import torch

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
sd = torch.load(os.path.join(FIX, "tv_alexnet_zip.pth"), weights_only=False)
out = os.path.join(FIX, "tv_alexnet_legacy.pth")
torch.save(sd, out, _use_new_zipfile_serialization=False)
back = torch.load(out, weights_only=False)
assert all(torch.equal(sd[k], back[k]) for k in sd)
print("wrote", out)
