"""The synthetic, exactly reproducible test signal of the voice fixtures (tones with a 3 Hz
envelope + LCG noise); the Rust tests build the same one."""
import numpy as np


def signal(n=40000):
    state, out = 12345, []
    for i in range(n):
        state = (state * 1103515245 + 12345) % 2 ** 31
        noise = state / 2 ** 31 - 0.5
        t = i / 16000.0
        env = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
        out.append(0.3 * env * np.sin(2 * np.pi * 220 * t) + 0.2 * env * np.sin(2 * np.pi * 1330 * t) + 0.05 * noise)
    return np.array(out, dtype=np.float32)
