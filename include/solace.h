/**
 * @file solace.h
 * @brief Solace (Solvers for Operator Learning And Computational Experiments): the whole C ABI.
 *
 * Include this one header. Read base.h first: status codes, errors, initialization and the
 * conventions every other header follows.
 */
#ifndef SOLACE_H
#define SOLACE_H

#include "solace/base.h"
#include "solace/rand.h"
#include "solace/store.h"
#include "solace/pde.h"
#include "solace/generate.h"
#include "solace/skr.h"
#include "solace/koopman.h"
#include "solace/implicit.h"
#include "solace/bcd.h"
#include "solace/node.h"
#include "solace/dcdm.h"

#endif
