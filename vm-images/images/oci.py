#!/usr/bin/python3
"""OCI image layout tools for vm-images/images/build.sh (Python 3 standard library only).

  oci.py assemble SPEC.json OUTDIR MANIFEST.json   root directories -> layers, configs, manifests, index
  oci.py validate OUTDIR                           digests, sizes, references and diff_ids of a layout
  oci.py unpack OUTDIR REF DEST                    apply an image's layers (with whiteouts) to DEST

Layers are deterministic: entries in depth-first name order, every mtime = SOURCE_DATE_EPOCH, numeric
owners taken from the root directory (root:root unless a package made a file belong to someone else),
no user or group names, PAX format, security.capability kept as a SCHILY.xattr record, `gzip -n -9`.
A layer with a base is the difference between two root directories, with `.wh.` whiteouts for what
the upper one removed, and the parents of every changed entry (as an overlay upper directory has them).
"""
import fnmatch
import gzip
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
CAP = "security.capability"


def die(msg):
    sys.exit(f"oci.py: {msg}")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rfc3339(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


# ---------------------------------------------------------------------------------------- layers

def excluded(rel, patterns):
    return any(fnmatch.fnmatchcase(rel, p) for p in patterns)


def scan(root, patterns):
    """rel path -> lstat, for everything under root except excluded paths (and what is under them)."""
    out = {}

    def walk(dirpath, prefix):
        for name in sorted(os.listdir(dirpath)):
            rel = prefix + name
            if excluded(rel, patterns):
                continue
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            if stat.S_ISSOCK(st.st_mode):
                continue
            out[rel] = st
            if stat.S_ISDIR(st.st_mode):
                walk(full, rel + "/")

    walk(root, "")
    return out


def get_cap(path):
    try:
        return os.getxattr(path, CAP, follow_symlinks=False)
    except OSError:
        return None


def same_entry(a_root, b_root, rel, a, b):
    if stat.S_IFMT(a.st_mode) != stat.S_IFMT(b.st_mode):
        return False
    if (stat.S_IMODE(a.st_mode), a.st_uid, a.st_gid) != (stat.S_IMODE(b.st_mode), b.st_uid, b.st_gid):
        return False
    pa, pb = os.path.join(a_root, rel), os.path.join(b_root, rel)
    if stat.S_ISLNK(a.st_mode):
        return os.readlink(pa) == os.readlink(pb)
    if stat.S_ISCHR(a.st_mode) or stat.S_ISBLK(a.st_mode):
        return a.st_rdev == b.st_rdev
    if get_cap(pa) != get_cap(pb):
        return False
    if stat.S_ISREG(a.st_mode):
        if a.st_size != b.st_size:
            return False
        with open(pa, "rb") as fa, open(pb, "rb") as fb:
            while True:
                x, y = fa.read(1 << 20), fb.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    return True


def parents(rel):
    parts = rel.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def layer_entries(root, base, patterns):
    """[(rel, kind)] in tar order; kind is 'entry' (from root) or 'whiteout'."""
    upper = scan(root, patterns)
    if base is None:
        return [(rel, "entry") for rel in sorted(upper, key=lambda r: r.split("/"))]
    lower = scan(base, patterns)
    want = set()
    whiteouts = set()
    for rel, st in upper.items():
        if rel not in lower or not same_entry(root, base, rel, st, lower[rel]):
            want.add(rel)
            want.update(parents(rel))
    for rel in sorted(lower, key=lambda r: r.split("/")):
        if rel in upper:
            continue
        parent = "/".join(rel.split("/")[:-1])
        # Only the topmost removed path needs a whiteout; its parent must still be a directory above.
        if parent and (parent not in upper or not stat.S_ISDIR(upper[parent].st_mode)):
            continue
        if parent and parent in lower and not stat.S_ISDIR(lower[parent].st_mode):
            continue
        wh = (parent + "/" if parent else "") + ".wh." + rel.split("/")[-1]
        whiteouts.add(wh)
        want.update(parents(wh))
    items = [(rel, "entry") for rel in want] + [(rel, "whiteout") for rel in whiteouts]
    return sorted(items, key=lambda item: item[0].split("/"))


def write_tar(root, entries, out_path, epoch):
    links = {}
    with open(out_path, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, kind in entries:
            if kind == "whiteout":
                ti = tarfile.TarInfo(rel)
                ti.mode, ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = 0, epoch, 0, 0, "", ""
                tar.addfile(ti)
                continue
            full = os.path.join(root, rel)
            st = os.lstat(full)
            ti = tarfile.TarInfo(rel)
            ti.mode = stat.S_IMODE(st.st_mode)
            ti.uid, ti.gid, ti.uname, ti.gname, ti.mtime = st.st_uid, st.st_gid, "", "", epoch
            fileobj = None
            if stat.S_ISDIR(st.st_mode):
                ti.type, ti.name = tarfile.DIRTYPE, rel + "/"
            elif stat.S_ISLNK(st.st_mode):
                ti.type, ti.linkname = tarfile.SYMTYPE, os.readlink(full)
            elif stat.S_ISREG(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and key in links:
                    ti.type, ti.linkname = tarfile.LNKTYPE, links[key]
                else:
                    if st.st_nlink > 1:
                        links[key] = rel
                    ti.type, ti.size = tarfile.REGTYPE, st.st_size
                    fileobj = open(full, "rb")
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                ti.type = tarfile.CHRTYPE if stat.S_ISCHR(st.st_mode) else tarfile.BLKTYPE
                ti.devmajor, ti.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
            elif stat.S_ISFIFO(st.st_mode):
                ti.type = tarfile.FIFOTYPE
            else:
                die(f"{full}: unsupported file type")
            if not stat.S_ISLNK(st.st_mode):
                cap = get_cap(full)
                if cap is not None:
                    ti.pax_headers = {"SCHILY.xattr." + CAP: cap.decode("utf-8", "surrogateescape")}
            tar.addfile(ti, fileobj)
            if fileobj:
                fileobj.close()


def gzip_file(src, dst):
    with open(src, "rb") as i, open(dst, "wb") as o:
        subprocess.run(["gzip", "-n", "-9", "-c"], stdin=i, stdout=o, check=True)


# -------------------------------------------------------------------------------------- assemble

class Layout:
    def __init__(self, out):
        self.out = out
        self.blobs = {}  # digest -> {"size", "kind"}
        os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)

    def put_bytes(self, data, kind):
        hexd = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.out, "blobs", "sha256", hexd), "wb") as f:
            f.write(data)
        self.blobs["sha256:" + hexd] = {"size": len(data), "kind": kind}
        return "sha256:" + hexd, len(data)

    def put_file(self, path, kind):
        hexd = sha256_file(path)
        size = os.path.getsize(path)
        shutil.copyfile(path, os.path.join(self.out, "blobs", "sha256", hexd))
        self.blobs["sha256:" + hexd] = {"size": size, "kind": kind}
        return "sha256:" + hexd, size


def read_packages(path):
    """Lines 'package:arch<TAB>version<TAB>source<TAB>source-version' (dpkg-query style)."""
    pkgs, sources = [], set()
    if not path:
        return pkgs, []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            pkg, ver, src, srcver = line.rstrip("\n").split("\t")
            pkgs.append(f"{pkg} {ver}")
            sources.add(f"{src or pkg.split(':')[0]} {srcver or ver}")
    return sorted(pkgs), sorted(sources)


def assemble(spec_path, out, manifest_path):
    with open(spec_path) as f:
        spec = json.load(f)
    epoch = int(spec["sourceDateEpoch"])
    if os.path.exists(out):
        if os.listdir(out) and not os.path.exists(os.path.join(out, "oci-layout")):
            die(f"{out}: not empty and not an OCI layout; not replacing it")
        shutil.rmtree(out)
    lay = Layout(out)
    tmp = tempfile.mkdtemp(prefix="oci-layers-", dir=spec.get("tmpdir"))
    patterns = spec["exclude"]
    skip = set(spec.get("skip", []))
    spec["layers"] = {n: l for n, l in spec["layers"].items() if n not in skip}
    spec["images"] = [i for i in spec["images"] if not skip.intersection(i["layers"])]

    def make_layer(name):
        l = spec["layers"][name]
        base = spec["layers"][l["base"]]["root"] if l.get("base") else None
        entries = layer_entries(l["root"], base, patterns)
        tar_path = os.path.join(tmp, name + ".tar")
        write_tar(l["root"], entries, tar_path, epoch)
        gzip_file(tar_path, tar_path + ".gz")
        diff_id = "sha256:" + sha256_file(tar_path)
        tar_size = os.path.getsize(tar_path)
        digest, size = lay.put_file(tar_path + ".gz", "layer")
        os.unlink(tar_path)
        os.unlink(tar_path + ".gz")
        return name, {"diff_id": diff_id, "digest": digest, "size": size, "tar_size": tar_size,
                      "entries": len(entries)}

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        layers = dict(pool.map(make_layer, sorted(spec["layers"])))
    os.rmdir(tmp)

    index = []
    images_out = {}
    for img in spec["images"]:
        layer_names = img["layers"]
        history = []
        for h in img["history"]:
            created_by = h["created_by"]
            for n in layer_names:
                created_by = created_by.replace("{" + n + "}", layers[n]["diff_id"].split(":")[1])
            entry = {"created": rfc3339(epoch + h.get("offset", 0)), "created_by": created_by}
            if h.get("comment"):
                entry["comment"] = h["comment"]
            if h.get("empty_layer"):
                entry["empty_layer"] = True
            history.append(entry)
        if sum(1 for h in history if not h.get("empty_layer")) != len(layer_names):
            die(f"{img['tags'][0]}: history does not match its {len(layer_names)} layers")
        config = {
            "architecture": "386",
            "config": img["config"],
            "created": history[-1]["created"],
            "history": history,
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layers[n]["diff_id"] for n in layer_names]},
        }
        cfg_digest, cfg_size = lay.put_bytes(dumps(config), "config")
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": cfg_digest, "size": cfg_size},
            "layers": [{"mediaType": MT_LAYER, "digest": layers[n]["digest"], "size": layers[n]["size"]}
                       for n in layer_names],
        }
        man_digest, man_size = lay.put_bytes(dumps(manifest), "manifest")
        for tag in img["tags"]:
            index.append({
                "mediaType": MT_MANIFEST, "digest": man_digest, "size": man_size,
                "annotations": {"org.opencontainers.image.ref.name": tag},
                "platform": {"architecture": "386", "os": "linux"},
            })
        pkgs, sources = read_packages(img.get("packages"))
        images_out[img["tags"][0]] = {
            "tags": img["tags"],
            "manifest": man_digest,
            "config": cfg_digest,
            "layers": [layers[n]["digest"] for n in layer_names],
            "compressedSize": sum(layers[n]["size"] for n in layer_names) + cfg_size + man_size,
            "unpackedSize": sum(layers[n]["tar_size"] for n in layer_names),
            "built": img.get("built", ""),
            "sourcePackages": sources,
            "packages": pkgs,
        }
    with open(os.path.join(out, "oci-layout"), "wb") as f:
        f.write(dumps({"imageLayoutVersion": "1.0.0"}))
    with open(os.path.join(out, "index.json"), "wb") as f:
        f.write(dumps({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": index}))

    total = sum(b["size"] for b in lay.blobs.values())
    doc = {
        "comment": "Bundled container images (OCI layout in vm-images/images/dist), built by "
                   "vm-images/images/build.sh from Debian bookworm i386 packages. Sizes in bytes; "
                   "unpackedSize is the sum of the uncompressed layer tars.",
        "sourceDateEpoch": epoch,
        "tools": spec.get("tools", {}),
        "images": images_out,
        "totalCompressedSize": total,
        "blobs": {d: lay.blobs[d] for d in sorted(lay.blobs)},
    }
    with open(manifest_path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

    # Size table.
    mb = lambda n: f"{n / 1e6:8.2f} MB"
    print(f"{'image':<34}{'layers':>7}{'compressed':>14}{'unpacked':>14}")
    for tag, im in images_out.items():
        print(f"{', '.join(t.split('/')[-1] for t in im['tags']):<34}{len(im['layers']):>7}"
              f"{mb(im['compressedSize']):>14}{mb(im['unpackedSize']):>14}")
    for n in sorted(layers):
        l = layers[n]
        print(f"  layer {n:<26}{'':>7}{mb(l['size']):>14}{mb(l['tar_size']):>14}  {l['digest'][:19]}")
    print(f"{'total (unique blobs)':<41}{mb(total):>14}")
    budget = spec.get("budget")
    if budget and total > budget:
        print(f"WARNING: the images take {total / 1e6:.2f} MB, more than the budget of {budget / 1e6:.0f} MB")
    return doc


# -------------------------------------------------------------------------------------- validate

def load_blob(out, digest):
    algo, hexd = digest.split(":")
    if algo != "sha256":
        die(f"{digest}: unsupported algorithm")
    path = os.path.join(out, "blobs", "sha256", hexd)
    if not os.path.exists(path):
        die(f"{digest}: blob missing")
    return path


def check_blob(out, desc):
    path = load_blob(out, desc["digest"])
    if os.path.getsize(path) != desc["size"]:
        die(f"{desc['digest']}: size {os.path.getsize(path)} != descriptor size {desc['size']}")
    if "sha256:" + sha256_file(path) != desc["digest"]:
        die(f"{desc['digest']}: content does not match its digest")
    return path


def validate(out):
    with open(os.path.join(out, "oci-layout")) as f:
        if json.load(f).get("imageLayoutVersion") != "1.0.0":
            die("oci-layout: bad version")
    with open(os.path.join(out, "index.json")) as f:
        index = json.load(f)
    if index.get("schemaVersion") != 2 or index.get("mediaType") != MT_INDEX:
        die("index.json: not an OCI index")
    referenced = set()
    diff_cache = {}
    for desc in index["manifests"]:
        ref = desc.get("annotations", {}).get("org.opencontainers.image.ref.name")
        if not ref or not ref.startswith("docker.io/library/"):
            die(f"{desc['digest']}: missing or odd ref.name {ref!r}")
        if desc.get("platform") != {"architecture": "386", "os": "linux"} or desc["mediaType"] != MT_MANIFEST:
            die(f"{ref}: platform or mediaType")
        with open(check_blob(out, desc)) as f:
            man = json.load(f)
        referenced.add(desc["digest"])
        if man["mediaType"] != MT_MANIFEST or man["config"]["mediaType"] != MT_CONFIG:
            die(f"{ref}: manifest media types")
        with open(check_blob(out, man["config"])) as f:
            cfg = json.load(f)
        referenced.add(man["config"]["digest"])
        if cfg["architecture"] != "386" or cfg["os"] != "linux" or cfg["rootfs"]["type"] != "layers":
            die(f"{ref}: config platform/rootfs")
        diff_ids = cfg["rootfs"]["diff_ids"]
        if len(diff_ids) != len(man["layers"]):
            die(f"{ref}: {len(diff_ids)} diff_ids for {len(man['layers'])} layers")
        if sum(1 for h in cfg["history"] if not h.get("empty_layer")) != len(diff_ids):
            die(f"{ref}: history and layers disagree")
        for layer, diff_id in zip(man["layers"], diff_ids):
            if layer["mediaType"] != MT_LAYER:
                die(f"{ref}: layer media type {layer['mediaType']}")
            referenced.add(layer["digest"])
            if layer["digest"] not in diff_cache:
                path = check_blob(out, layer)
                h = hashlib.sha256()
                with gzip.open(path, "rb") as g:
                    for chunk in iter(lambda: g.read(1 << 20), b""):
                        h.update(chunk)
                diff_cache[layer["digest"]] = "sha256:" + h.hexdigest()
            if diff_cache[layer["digest"]] != diff_id:
                die(f"{ref}: layer {layer['digest']} uncompresses to {diff_cache[layer['digest']]}, "
                    f"config says {diff_id}")
        print(f"ok  {ref:<42} {desc['digest'][:19]}  {len(diff_ids)} layer(s)")
    present = {"sha256:" + n for n in os.listdir(os.path.join(out, "blobs", "sha256"))}
    if present - referenced:
        die(f"unreferenced blobs: {sorted(present - referenced)}")
    print(f"layout ok: {len(index['manifests'])} refs, {len(present)} blobs, all digests and diff_ids match")


# ---------------------------------------------------------------------------------------- unpack

def unpack(out, ref, dest):
    with open(os.path.join(out, "index.json")) as f:
        index = json.load(f)
    full = ref if "/" in ref else "docker.io/library/" + ref
    descs = [d for d in index["manifests"] if d["annotations"]["org.opencontainers.image.ref.name"] == full]
    if not descs:
        die(f"{ref}: not in {out}/index.json")
    with open(load_blob(out, descs[0]["digest"])) as f:
        man = json.load(f)
    os.makedirs(dest, exist_ok=True)
    for layer in man["layers"]:
        path = load_blob(out, layer["digest"])
        with tarfile.open(path, "r:gz") as tar:
            names = tar.getnames()
        for name in names:
            d, b = os.path.split(name.rstrip("/"))
            if b == ".wh..wh..opq":
                for child in os.listdir(os.path.join(dest, d)):
                    p = os.path.join(dest, d, child)
                    shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
            elif b.startswith(".wh."):
                p = os.path.join(dest, d, b[4:])
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                elif os.path.lexists(p):
                    os.unlink(p)
        # GNU tar extracts (a second tar implementation reading what tarfile wrote).
        subprocess.run(["tar", "-xzf", path, "-C", dest, "--numeric-owner", "--same-permissions",
                        "--xattrs", "--xattrs-include=security.capability", "--exclude=.wh.*"], check=True)


def main(argv):
    if len(argv) >= 2 and argv[1] == "assemble" and len(argv) == 5:
        assemble(argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[1] == "validate":
        validate(argv[2])
    elif len(argv) == 5 and argv[1] == "unpack":
        unpack(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
