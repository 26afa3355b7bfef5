# Like nokogiri's extconf.rb: fetch libxml2's source from its upstream
# host with open-uri when no system library is found.
require 'mkmf'
require 'open-uri'

unless have_library('xml2', 'xmlParseDoc')
  src = URI.open("https://download.gnome.org/sources/libxml2/2.11/libxml2-2.11.5.tar.xz").read
  File.binwrite("ports/libxml2-2.11.5.tar.xz", src)
end
create_makefile('xmlx/xmlx')
