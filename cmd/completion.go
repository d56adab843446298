package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newCompletionCmd prints a shell completion script made by cobra.
func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "completion bash|zsh|fish",
		Short:     "Print a shell completion script",
		Long:      "Print a completion script for bash, zsh or fish on stdout; for example:\n  source <(parx completion bash)",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(c *cobra.Command, args []string) error {
			out := c.OutOrStdout()
			switch args[0] {
			case "bash":
				return c.Root().GenBashCompletionV2(out, true)
			case "zsh":
				return c.Root().GenZshCompletion(out)
			case "fish":
				return c.Root().GenFishCompletion(out, true)
			}
			return fmt.Errorf("completion: unknown shell %q (want bash, zsh or fish)", args[0])
		},
	}
}
