// Package cmdline turns records into the command lines of jobs: a Template
// is a command parsed once, with GNU parallel's replacement strings ({},
// {.}, {/}, {#}, {%}, {1}, {name}, ...), and expanded for each job either
// into an argv that runs without a shell or into a quoted shell line.
// Batcher groups records into jobs for -n, -N, -L, -X, -m and -s, counting
// line length as GNU parallel does.
//
// It knows nothing of where records come from or how jobs run; package
// runner drives it, and exports its types under the same names.
package cmdline
