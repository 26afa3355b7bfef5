package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, the same for every command.
const (
	exitOK      = 0 // allowed, verified, no findings above the threshold
	exitDenied  = 1 // denied, findings above the threshold, verification failed
	exitFailure = 2 // usage error, unreadable input, or any other error
)

const exitCodesHelp = `Exit codes:
  0  ok: allowed, verified, valid, or no findings at or above the threshold
  1  a "no": policy or gate denied, verification failed, findings at or
     above the threshold, invalid SBOM, failing Rego tests, audit findings,
     flagged typosquats (each command's help says what it reports)
  2  usage or runtime error: bad flags, unreadable or malformed input,
     anything that stopped the command from reaching a decision`

// cliDenied is the error a command returns when it ran to completion and the
// answer is "no": exit code 1. Its output has already been written.
type cliDenied struct{ msg string }

func (e *cliDenied) Error() string { return e.msg }

func denied(format string, args ...any) error {
	return &cliDenied{msg: fmt.Sprintf(format, args...)}
}

// cliUsage marks errors in how the command was called.
type cliUsage struct{ err error }

func (e *cliUsage) Error() string { return e.err.Error() }
func (e *cliUsage) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &cliUsage{err: fmt.Errorf(format, args...)}
}

// app carries what every command shares: its streams and global flags.
type app struct {
	stdout, stderr io.Writer
	output         string
}

// run is the whole CLI: it parses args, runs one command and returns the
// exit code. Tests call it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	a := &app{stdout: stdout, stderr: stderr}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var d *cliDenied
	if errors.As(err, &d) {
		fmt.Fprintln(stderr, "chaingate:", d.msg)
		return exitDenied
	}
	fmt.Fprintln(stderr, "chaingate:", err)
	var u *cliUsage
	if errors.As(err, &u) {
		fmt.Fprintln(stderr, "Run 'chaingate --help' for usage.")
	}
	return exitFailure
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "chaingate",
		Short: "Supply-chain release gate: SBOMs, verification, risk, policy, GitOps",
		Long: `chaingate is a reference CLI over the chaingate Go SDK. Every command is
offline unless a flag says otherwise; nothing is fetched by default.

Output is a table for people; --output json gives the SDK's versioned JSON
(and --output sarif or markdown where a command supports them).

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		// A bare "chaingate" prints help and succeeds.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("unknown command %q", args[0])
			}
			return cmd.Help()
		},
	}
	root.PersistentFlags().StringVarP(&a.output, "output", "o", "text", "output format: text, json, sarif or markdown (as the command supports)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cliUsage{err: err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(a.sbomCmd(), a.riskCmd(), a.verifyCmd(), a.policyCmd(), a.gateCmd(), a.promoteCmd(), a.auditCmd())
	return root
}

// formats checks --output against what a command supports.
func (a *app) formats(supported ...string) error {
	for _, f := range supported {
		if a.output == f {
			return nil
		}
	}
	return usageErr("--output %s is not supported here (use %s)", a.output, strings.Join(supported, ", "))
}

// exactArgs is cobra.ExactArgs with a usage error (exit code 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return &cliUsage{err: err}
		}
		return nil
	}
}

func rangeArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.RangeArgs(min, max)(cmd, args); err != nil {
			return &cliUsage{err: err}
		}
		return nil
	}
}

// groupCmd is a command that only holds subcommands.
func groupCmd(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  short + ".\n\n" + exitCodesHelp,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	c.AddCommand(subs...)
	return c
}
