package sbom

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *Distro
		eco     string
		purl    string
		wantErr string
	}{
		{name: "debian 12 (real)", in: string(imgTestdata(t, "os-release-debian12")),
			want: &Distro{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)"},
			eco:  "Debian:12", purl: "debian-12"},
		{name: "alpine 3.20.3", in: string(imgTestdata(t, "alpine/os-release")),
			want: &Distro{ID: "alpine", VersionID: "3.20.3", PrettyName: "Alpine Linux v3.20"},
			eco:  "Alpine:v3.20", purl: "alpine-3.20.3"},
		{name: "ubuntu LTS", in: "NAME=\"Ubuntu\"\nVERSION=\"24.04.1 LTS (Noble Numbat)\"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\nUBUNTU_CODENAME=noble\n",
			want: &Distro{ID: "ubuntu", VersionID: "24.04", Codename: "noble", PrettyName: "Ubuntu 24.04.1 LTS"},
			eco:  "Ubuntu:24.04:LTS", purl: "ubuntu-24.04"},
		{name: "ubuntu interim", in: "ID=ubuntu\nVERSION_ID='23.10'\nPRETTY_NAME=\"Ubuntu 23.10\"\n",
			want: &Distro{ID: "ubuntu", VersionID: "23.10", PrettyName: "Ubuntu 23.10"},
			eco:  "Ubuntu:23.10", purl: "ubuntu-23.10"},
		{name: "debian sid has no release", in: "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n# comment\n\n",
			want: &Distro{ID: "debian", PrettyName: "Debian GNU/Linux trixie/sid"}, eco: "", purl: "debian"},
		{name: "escapes", in: "ID=\"de\\\"bian\"\nVERSION_ID=12.5\n",
			want: &Distro{ID: "de\"bian", VersionID: "12.5"}, eco: "", purl: "de\"bian-12.5"},
		{name: "no ID", in: "NAME=x\n", wantErr: "no ID"},
		{name: "bad line", in: "ID=debian\nthis is not a pair\n", wantErr: "line 2"},
		{name: "unterminated quote", in: "ID=\"debian\n", wantErr: "line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseOSRelease([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, d); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got := d.OSVEcosystem(); got != tc.eco {
				t.Errorf("OSVEcosystem = %q, want %q", got, tc.eco)
			}
			if got := d.PURLDistro(); got != tc.purl {
				t.Errorf("PURLDistro = %q, want %q", got, tc.purl)
			}
		})
	}
	if _, err := ParseOSRelease(bytes.Repeat([]byte("A=b\n"), 20000)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge os-release: err = %v, want ErrTooLarge", err)
	}
	var nilD *Distro
	if nilD.OSVEcosystem() != "" || nilD.PURLDistro() != "" {
		t.Error("nil Distro helpers")
	}
}
