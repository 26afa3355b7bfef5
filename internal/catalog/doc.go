// Package catalog parses the files sbom.FromImage's cataloguers read in
// an image, into small records of its own: the dpkg status database
// (Deb), the Alpine apk database (Apk), RPM databases in BerkeleyDB,
// SQLite and ndb form (RPM, through go-rpmdb), Python METADATA and
// PKG-INFO (PythonMetadata), npm package.json and version 1 lockfiles
// (NPMPackage), and Java archives with the jars nested in them (Maven,
// read within an Inflate decompression budget). Each parser has a size
// or work limit and returns an error naming the file and what was wrong;
// none panics.
//
// What does not live here: deciding which file of an image a cataloguer
// wants, turning records into sbom.Component values (purls, OSV
// ecosystems, properties, licences), os-release (sbom.ParseOSRelease is
// public), lockfiles (internal/lockfile, whose records and errors sbom
// converts) and Go binaries (sbom's Go
// build information reader). Package sbom does those.
package catalog
