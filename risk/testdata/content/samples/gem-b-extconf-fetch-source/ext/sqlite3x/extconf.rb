# Like the sqlite3 and nokogiri gems' extconf.rb: download the C
# library's source from its project's site, check its digest, unpack it
# with Ruby and build against it.
require 'mkmf'
require 'net/http'
require 'digest'
require 'zlib'
require 'rubygems/package'

URL = "https://www.sqlite.org/2024/sqlite-autoconf-3450000.tar.gz"
SHA256 = "72887d57a1d8f89f52be38ef84a6353ce8c3ed55ada7864eb944abd9a495e436"

tarball = Net::HTTP.get(URI(URL))
abort "sqlite source digest mismatch" unless Digest::SHA256.hexdigest(tarball) == SHA256
Gem::Package::TarReader.new(Zlib::GzipReader.new(StringIO.new(tarball))) do |tar|
  tar.each { |e| File.binwrite(File.join("ports", e.full_name), e.read) if e.file? }
end
dir_config('sqlite3', 'ports/sqlite-autoconf-3450000')
create_makefile('sqlite3x/sqlite3x')
