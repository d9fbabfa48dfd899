#!/usr/bin/env python3
"""Generate the voice test set with Debian's espeak-ng (Mandarin voice `cmn` with voice
variants and pitches as pseudo-speakers) and sox: 16 kHz mono 16-bit WAV.

    python3 scripts/gen_voice.py .deps/testdata/voice

Per speaker: 5 enrollment recordings of prompts that together hold every digit at least
3 times, and 3 test recordings of other prompts; noisy copies of the tests (white noise,
~15 dB SNR) and heavily noisy copies (~0 dB); plus silence and pure noise files.
manifest.tsv: path, speaker, digits, role (enroll / test / noisy / very_noisy / silence / noise).
Deterministic: the same files every run. VERSION names this generation; setup.sh
regenerates a set whose VERSION differs.
"""
import os, subprocess, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else ".deps/testdata/voice"
SPEAKERS = [("m1", 40, 150), ("m3", 50, 150), ("m5", 35, 145), ("f1", 60, 150),
            ("f3", 65, 150), ("klatt", 50, 150), ("grandma", 50, 140), ("grandpa", 40, 140)]
ENROLL = ["01234567", "89012345", "67890123", "45678901", "23456789"]
TEST = ["73920581", "16480257", "50374916"]
VERSION = "4: speed and pitch per recording, resampled; sox repeatable (-R)"


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sox(*args):
    # -R: repeatable. Without it sox seeds its dither and `synth whitenoise` from the clock,
    # so every machine generated a different set (and tests near a limit flipped).
    run("sox", "-R", *args)


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    tmp = os.path.join(OUT, "raw.wav")
    for si, (var, pitch, speed) in enumerate(SPEAKERS):
        spk = f"cmn_{var}"
        for role, prompts in (("enroll", ENROLL), ("test", TEST)):
            for i, digits in enumerate(prompts):
                text = "，".join(digits)  # Arabic digits + full-width commas (Debian espeak-ng)
                # A person never says a prompt twice alike: every recording has its own speed
                # and pitch, so no test recording repeats an enrollment word sample for sample
                # (the splice check would rightly call that a copy). espeak-ng's own speed and
                # pitch settings still build each word from the same stored pitch periods,
                # sample for sample (waveform correlation up to 0.97 between "repetitions"), so
                # every recording is also resampled by its own factor (sox `speed`, 0.94–1.06, a test ≥ 1.5% from every enrollment recording:
                # every period a little longer or shorter, as a voice is from one day to the next).
                t = 1 if role == "test" else 0
                s = speed + ((si * 7 + i * 3 + t * 5) % 11) - 5
                tone = pitch + ((si * 5 + i * 7 + t * 3) % 9) - 4
                # Enrollment 0.94–1.06 in steps of 0.03 (one each), tests half-way between them.
                factor = [0.94, 0.97, 1.0, 1.03, 1.06][(i + si) % 5] if not t else [0.955, 0.985, 1.015, 1.045][(i + si) % 4]
                run("espeak-ng", "-v", f"cmn+{var}", "-p", str(tone), "-s", str(s), "-w", tmp, text)
                p = os.path.join(OUT, f"{spk}_{role}{i}.wav")
                sox(tmp, "-r", "16000", "-c", "1", "-b", "16", p,
                    "speed", f"{factor:.3f}", "pad", "0.3", "0.3", "norm", "-3")
                rows.append((p, spk, digits, role))
                if role == "test":
                    for tag, vol in (("noisy", "0.03"), ("very_noisy", "0.5")):
                        q = p.replace(".wav", f"_{tag}.wav")
                        noise = os.path.join(OUT, "noise_tmp.wav")
                        dur = subprocess.run(["soxi", "-D", p], capture_output=True, text=True).stdout.strip()
                        sox("-n", "-r", "16000", "-c", "1", "-b", "16", noise, "synth", dur, "whitenoise", "vol", vol)
                        sox("-m", p, noise, q)
                        rows.append((q, spk, digits, tag))
    for name, synth in (("silence", ["vol", "0.0001"]), ("noise", ["vol", "0.3"])):
        p = os.path.join(OUT, f"{name}.wav")
        sox("-n", "-r", "16000", "-c", "1", "-b", "16", p, "synth", "3", "whitenoise", *synth)
        rows.append((p, "-", "", name))
    for f in ("raw.wav", "noise_tmp.wav"):
        if os.path.exists(os.path.join(OUT, f)):
            os.remove(os.path.join(OUT, f))
    with open(os.path.join(OUT, "VERSION"), "w") as f:
        f.write(VERSION + "\n")
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("path\tspeaker\tdigits\trole\n")
        for r in rows:
            f.write("\t".join([os.path.basename(r[0])] + list(r[1:])) + "\n")
    print(len(rows), "files ->", OUT)


if __name__ == "__main__":
    main()
