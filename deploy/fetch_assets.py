"""Front-end libraries for the image without Node.js: each package of package-lock.json is fetched from
the npm registry, checked against the lock file's integrity hash and unpacked into node_modules/, where
the settings look for it (STATICFILES_DIRS). Standard library only: it runs in the image's build stage."""

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"


def main(root: Path) -> None:
    lock = json.loads((root / "package-lock.json").read_text())
    for path, package in lock["packages"].items():
        if not path:
            continue
        name = path.removeprefix("node_modules/")
        tarball = package.get("resolved") or f"{REGISTRY}/{name}/-/{name.split('/')[-1]}-{package['version']}.tgz"
        algorithm, _, expected = package["integrity"].partition("-")
        with urllib.request.urlopen(tarball, timeout=60) as response:
            data = response.read()
        actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
        if actual != expected:
            sys.exit(f"{name}: {algorithm} {actual} differs from package-lock.json's {expected}")
        target = root / path
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in archive.getmembers():
                # npm tarballs keep everything under package/; only plain files are taken, never outside target.
                relative = Path(member.name.split("/", 1)[1] if "/" in member.name else "")
                if not member.isfile() or relative.is_absolute() or ".." in relative.parts:
                    continue
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                (target / relative).write_bytes(archive.extractfile(member).read())
        print(f"{name} {package['version']}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
