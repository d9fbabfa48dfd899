#!/usr/bin/env python3
"""Real human speech for speaker calibration, from Debian's klettres-data and
ktuberling-data (GPL; each language folder is read by one native speaker).

    python3 scripts/gen_human.py .deps/testdata/human

Per speaker (language folder with enough words): 5 enrollment and 3 test utterances,
each the concatenation of 3 different words with 0.2 s pauses, 16 kHz mono 16-bit.
Words are not digits, so manifest rows have empty digits: speaker-only trials.
Deterministic: the same files every run. VERSION names this generation; setup.sh
regenerates a set whose VERSION differs.
"""
import glob, os, subprocess, sys, tempfile

OUT = sys.argv[1] if len(sys.argv) > 1 else ".deps/testdata/human"
WORDS_PER_UTT, ENROLL, TEST = 3, 5, 3
VERSION = "2: sox repeatable (-R)"


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sox(*args):
    # -R: repeatable. Without it sox seeds its dither and `synth whitenoise` from the clock,
    # so every machine generated a different set (and tests near a limit flipped).
    run("sox", "-R", *args)


def main():
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp()
    subprocess.run(["apt-get", "download", "klettres-data", "ktuberling-data"], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for deb in glob.glob(os.path.join(tmp, "*.deb")):
        run("dpkg-deb", "-x", deb, os.path.join(tmp, "x"))
    folders = sorted(glob.glob(os.path.join(tmp, "x/usr/share/klettres/*/alpha")) +
                     glob.glob(os.path.join(tmp, "x/usr/share/ktuberling/sounds/*")))
    rows, seen = [], set()
    for folder in folders:
        parts = folder.split(os.sep)
        lang = parts[-2] if parts[-1] == "alpha" else parts[-1]
        app = "klettres" if "klettres" in parts else "ktuberling"
        if "@" in lang or lang.startswith("sr"):
            continue  # script variants of one recording set
        words = sorted(glob.glob(os.path.join(folder, "*.ogg")))
        need = (ENROLL + TEST) * WORDS_PER_UTT
        if len(words) < need or (app, lang) in seen:
            continue
        seen.add((app, lang))
        spk = f"{app}_{lang}"
        for u in range(ENROLL + TEST):
            chunk = words[u * WORDS_PER_UTT:(u + 1) * WORDS_PER_UTT]
            pieces = []
            for i, w in enumerate(chunk):
                p = os.path.join(tmp, f"w{i}.wav")
                sox(w, "-r", "16000", "-c", "1", "-b", "16", p, "pad", "0", "0.2")
                pieces.append(p)
            role = "enroll" if u < ENROLL else "test"
            out = os.path.join(OUT, f"{spk}_{role}{u}.wav")
            sox(*pieces, out, "norm", "-3")
            rows.append((os.path.basename(out), spk, "", role))
    with open(os.path.join(OUT, "VERSION"), "w") as f:
        f.write(VERSION + "\n")
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("path\tspeaker\tdigits\trole\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(len(rows), "files,", len(seen), "speakers ->", OUT)


if __name__ == "__main__":
    main()
