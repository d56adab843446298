package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestHelpGroups checks that --help lists every option under its topic.
func TestHelpGroups(t *testing.T) {
	fs := newRootCmd(nil, nil, nil, nil).Flags()
	var out, errb bytes.Buffer
	status, err := run(context.Background(), stopSignals{}, []string{"--help"}, strings.NewReader(""), &out, &errb)
	if status != 0 || err != nil {
		t.Fatalf("--help: status %d, %v", status, err)
	}
	help := out.String()
	last := -1
	for _, g := range []string{"Input options:", "Command options:", "Output options:", "Job control options:"} {
		i := strings.Index(help, "\n"+g+"\n")
		if i < 0 || i < last {
			t.Errorf("--help lacks section %q, or has it out of order", g)
		}
		last = i
	}
	for name, want := range map[string]string{"colsep": "Input", "max-args": "Command", "line-buffer": "Output",
		"results": "Output", "bar": "Output", "jobs": "Job control", "sshlogin": "Remote"} {
		if got := flagGroup(name); got != want {
			t.Errorf("flagGroup(%q) = %q, want %q", name, got, want)
		}
	}
	fs.VisitAll(func(f *pflag.Flag) {
		if g := flagGroup(f.Name); g == "Other" && f.Name != "help" && f.Name != "version" {
			t.Errorf("option --%s has no --help section: add it to flagGroup", f.Name)
		}
		if !strings.Contains(help, "--"+f.Name+" ") && !strings.Contains(help, "--"+f.Name+"\n") {
			t.Errorf("--help does not list --%s", f.Name)
		}
	})
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out, errb bytes.Buffer
		status, err := run(context.Background(), stopSignals{}, []string{"completion", shell}, strings.NewReader(""), &out, &errb)
		if status != 0 || err != nil || !strings.Contains(out.String(), "parx") {
			t.Errorf("completion %s: status %d, %v, %d bytes", shell, status, err, out.Len())
		}
	}
	var out, errb bytes.Buffer
	if status, _ := run(context.Background(), stopSignals{}, []string{"completion", "tcsh"}, strings.NewReader(""), &out, &errb); status == 0 {
		t.Errorf("completion tcsh succeeded")
	}
}
