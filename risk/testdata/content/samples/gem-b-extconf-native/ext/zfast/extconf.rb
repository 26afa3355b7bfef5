# A native extension's configuration: what most extconf.rb files do.
require 'mkmf'

dir_config('zlib')
abort "zlib is missing" unless have_library('z', 'deflate')
have_header('zlib.h')
$CFLAGS << ' -O2'
create_makefile('zfast/zfast')
