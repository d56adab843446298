package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpGroups are the sections of --help, in order.
func helpGroups() []string {
	return []string{"Input", "Command", "Output", "Job control", "Remote", "GNU compatibility", "Other"}
}

// flagGroup is the --help section of a flag. Flags not named here (help,
// version) are in "Other"; names of GNU options parx may gain are listed
// already, so that adding one needs no change here.
func flagGroup(name string) string {
	switch name {
	case "will-cite", "no-notice", "gnu", "plain", "noswap", "citation", "bibtex", "minversion",
		"number-of-cpus", "number-of-cores", "number-of-sockets", "number-of-threads", "max-line-length-allowed":
		return "GNU compatibility"
	case "arg-file", "arg-sep", "arg-file-sep", "skip-first-line", "null", "delimiter", "eof", "no-run-if-empty", "colsep",
		"trim", "header", "link", "xapply", "shuf", "pipe", "spreadstdin", "pipe-part", "pipepart", "block",
		"block-size", "recstart", "recend", "regexp", "remove-rec-sep", "round-robin", "csv", "cat", "fifo",
		"blocksize", "block-timeout", "blocktimeout", "bt", "regex", "removerecsep", "rrs", "roundrobin", "round":
		return "Input"
	case "replace", "extensionreplace", "er", "basenamereplace", "bnr", "dirnamereplace", "dnr",
		"basenameextensionreplace", "bner", "seqreplace", "slotreplace", "max-args", "max-replace-args",
		"xargs", "X", "m", "L", "max-lines", "l", "max-chars", "exit", "quote", "shellquote", "plus", "rpl", "parens":
		return "Command"
	case "keep-order", "tag", "tagstring", "verbose", "v", "dry-run", "dryrun", "linebuffer", "tmpdir", "group", "line-buffer", "lb",
		"ungroup", "files", "results", "res", "bar", "progress", "eta", "total-jobs", "total", "force-progress",
		"tee", "compress", "ctag", "ctagstring", "latest-line", "ll":
		return "Output"
	case "jobs", "max-procs", "process-slot-var", "use-cores-instead-of-threads", "use-cpus-instead-of-cores", "delay", "nice", "env", "halt", "halt-on-error", "timeout", "retries", "joblog",
		"resume", "resume-failed", "retry-failed", "termseq", "memfree", "load", "semaphore", "sem":
		return "Job control"
	case "sshlogin", "sshloginfile", "slf", "transfer", "return", "cleanup", "trc", "basefile", "workdir",
		"wd", "nonall", "onall", "controlmaster", "ssh", "filter-hosts":
		return "Remote"
	}
	return "Other"
}

// groupedFlags returns the flags of fs by --help section.
func groupedFlags(fs *pflag.FlagSet) map[string]*pflag.FlagSet {
	groups := map[string]*pflag.FlagSet{}
	fs.VisitAll(func(f *pflag.Flag) {
		g := flagGroup(f.Name)
		if groups[g] == nil {
			groups[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			groups[g].SortFlags = false
		}
		groups[g].AddFlag(f)
	})
	return groups
}

// writeHelp prints the root command's help: what it does, then its
// options by topic.
func writeHelp(w io.Writer, c *cobra.Command) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nUsage:\n  %s\n\nExamples:\n%s\n", c.Long, c.UseLine(), c.Example)
	groups := groupedFlags(c.Flags())
	for _, g := range helpGroups() {
		if fs := groups[g]; fs != nil {
			fmt.Fprintf(&b, "\n%s options:\n%s", g, fs.FlagUsages())
		}
	}
	b.WriteString("\nCommands:\n")
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			fmt.Fprintf(&b, "  %-12s %s\n", sub.Name(), sub.Short)
		}
	}
	io.WriteString(w, b.String())
}

// CommandTree returns parx's cobra command tree, without subcommands and
// with a run function that does nothing, for documentation generators
// (scripts/genman makes the man page from it). Generators live outside this
// package so that their dependencies stay out of the parx binary.
func CommandTree() *cobra.Command {
	root := newRootCmd(nil, nil, nil, func(*cobra.Command, *options, []string) {})
	for _, sub := range root.Commands() {
		root.RemoveCommand(sub) // no pages of their own to point to
	}
	return root
}
