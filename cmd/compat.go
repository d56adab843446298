package cmd

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/pflag"
)

// gnuVersion is the GNU parallel release whose behaviour parx follows;
// --minversion compares with it, so that scripts' version checks pass.
const gnuVersion = 20221122

// compatFlags are GNU parallel options that scripts carry but that ask
// nothing of parx.
type compatFlags struct {
	citation   bool // --citation, --bibtex: say that no citation is asked for
	minVersion string
}

// defineCompatFlags adds the no-op options: --will-cite, --no-notice,
// --gnu, --plain and --noswap are accepted and do nothing.
func defineCompatFlags(fs *pflag.FlagSet, c *compatFlags) {
	var ignored bool
	for _, name := range []string{"will-cite", "no-notice", "gnu", "plain", "noswap"} {
		fs.BoolVar(&ignored, name, false, "accepted for GNU parallel's scripts; does nothing")
	}
	fs.BoolVar(&c.citation, "citation", false, "say that parx asks for no citation, and exit")
	fs.BoolVar(&c.citation, "bibtex", false, "same as --citation")
	fs.StringVar(&c.minVersion, "minversion", "", "exit 0 if `VERSION` (GNU's YYYYMMDD) is at most "+strconv.Itoa(gnuVersion)+", the GNU release parx follows, else 255")
}

// answer handles the options that print something and exit instead of
// running jobs; done is false when none was given.
func (c *compatFlags) answer(stdout io.Writer) (status int, done bool, err error) {
	switch {
	case c.citation:
		_, err = fmt.Fprintln(stdout, "parx asks for no citation: there is nothing to do")
		return 0, true, err
	case c.minVersion != "":
		want, perr := strconv.Atoi(c.minVersion)
		if perr != nil || want < 0 {
			return ExitUsage, true, fmt.Errorf("--minversion: %q is not a version (GNU's YYYYMMDD)", c.minVersion)
		}
		// As GNU: the version on stdout, and the status says whether it
		// is new enough.
		if _, err = fmt.Fprintln(stdout, gnuVersion); err != nil || want <= gnuVersion {
			return 0, true, err
		}
		return ExitUsage, true, nil
	}
	return 0, false, nil
}
