"""The `fahuo` subcommands, split out of fahuo/cli.py to keep it thin. Each takes the argparse namespace
and returns an exit status."""
