// Wrappers for what Swift cannot call directly: variadic el_set/history and C globals.
#include <stdio.h>
#include <editline/readline.h>
#include <histedit.h>
