/* iniparser ships no pkg-config file and installs its header as
 * <iniparser/iniparser.h> on Debian and as <iniparser.h> elsewhere;
 * configure found one of them. */
#ifndef JC_INIPARSER_COMPAT_H
#define JC_INIPARSER_COMPAT_H

#if defined(HAVE_INIPARSER_INIPARSER_H)
#include <iniparser/iniparser.h>
#elif defined(HAVE_INIPARSER_H)
#include <iniparser.h>
#else
#error "configure found no iniparser header"
#endif

#endif
