"""Calibrate the press-release detector's weights (scoring/style.py) on the labelled set's train part:
L2-regularised logistic regression by gradient descent (numpy); prints the weights for the methodology's
[press_release.weights] and the accuracy, precision and recall on the held-out part.

    .venv/bin/python -m tests.calibrate_style [--l2 0.05]
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from scoring import style
from scoring.methodology import methodology_for

LABELLED = Path(__file__).resolve().parent / "data" / "style_labelled.json"


def labelled() -> list[dict]:
    return json.loads(LABELLED.read_text(encoding="utf-8"))["texts"]


def matrix(items: list[dict], settings: style.StyleSettings) -> tuple[np.ndarray, np.ndarray]:
    lex = style.lexicon()
    rows = [style.features(style.signals(i["text"], settings, lex), settings) for i in items]
    x = np.array([[r[f] for f in style.FEATURES] for r in rows])
    y = np.array([1.0 if i["label"] == "press_release" else 0.0 for i in items])
    return x, y


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 20000, rate: float = 0.1) -> tuple[float, np.ndarray]:
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / len(y) + l2 * w)
        b -= rate * float(np.mean(p - y))
    return b, w


def quality(x: np.ndarray, y: np.ndarray, b: float, w: np.ndarray, threshold: float = 0.5) -> dict:
    predicted = (1 / (1 + np.exp(-(x @ w + b)))) >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    return {"accuracy": float(np.mean(predicted == (y == 1))), "precision": tp / max(tp + fp, 1),
            "recall": tp / max(tp + fn, 1), "n": len(y)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--l2", type=float, default=0.05)
    args = parser.parse_args()
    settings = style.StyleSettings.from_methodology(methodology_for("2026Q1"))
    items = labelled()
    train = [i for i in items if i["split"] == "train"]
    test = [i for i in items if i["split"] == "test"]
    xt, yt = matrix(train, settings)
    xh, yh = matrix(test, settings)
    # a signal's centre: halfway between the two classes' means (its contribution changes sign there)
    centres = (xt[yt == 1].mean(axis=0) + xt[yt == 0].mean(axis=0)) / 2
    xt, xh = xt - centres, xh - centres
    b, w = fit(xt, yt, args.l2)
    print("[press_release.weights]\nbias =", round(b, 3))
    for name, value in zip(style.FEATURES, w):
        print(f"{name} = {value:.3f}")
    print("\n[press_release.centres]")
    for name, value in zip(style.FEATURES, centres):
        print(f"{name} = {value:.3f}")
    print("train", quality(xt, yt, b, w))
    print("held-out", quality(xh, yh, b, w))
    # 5-fold cross-validation over everything, to see that the weights do not hinge on one split
    order = np.random.default_rng(1).permutation(len(items))
    x_all, y_all = matrix(items, settings)
    x_all = x_all - centres
    scores = []
    for fold in range(5):
        held = order[fold::5]
        keep = np.setdiff1d(order, held)
        fb, fw = fit(x_all[keep], y_all[keep], args.l2)
        scores.append(quality(x_all[held], y_all[held], fb, fw)["accuracy"])
    print("cv accuracy", [round(s, 3) for s in scores])


if __name__ == "__main__":
    main()
