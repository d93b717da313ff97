#!/bin/bash
# Sample runner directory for RunnerTokens dry runs and examples. This is not the real config.sh:
# it refuses to do anything, so a refresh pointed here by mistake fails without touching a real runner.
echo "This is RunnerTokens' sample runner directory (samples/actions-runner): config.sh does nothing here." >&2
exit 1
