// Package input is where a run's arguments come from: the sources given
// with ":::", "::::", -a and stdin, read as streams (Source), and how their
// values combine into records, one per job (Records): every combination, or
// pairs with :::+, split into columns with --colsep, named by --header,
// trimmed with --trim, joined across lines with -L.
//
// It knows nothing of templates or jobs; package runner drives it, and
// exports its types under the same names.
package input
