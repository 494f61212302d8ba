/* Butcher tables of the neural-ODE integrator: Tsit5 (Tsitouras 2011) from its published
 * coefficients, Dormand-Prince 5(4) and ARKODE's default 4th-order table from ARKODE itself. */
#include "node-impl.h"

#include <arkode/arkode_butcher_erk.h>
#include <arkode/arkode_erkstep.h>
#include <string.h>

/* Tsitouras, "Runge-Kutta pairs of order 5(4) satisfying only the first column simplifying
 * assumption", Comput. Math. Appl. 62 (2011): nodes, stage matrix, weights and the error
 * weights btilde = b - d (the 7th stage is FSAL: its row is b). */
static const double tsit5_c[7] = {0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1};
static const double tsit5_a[7][6] = {
    {0},
    {0.161},
    {-0.008480655492356989, 0.335480655492357},
    {2.897153057105493, -6.359448489975075, 4.3622954328695815},
    {5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525},
    {5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401,
     -0.028269050394068383},
    {0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
     2.324710524099774}};
static const double tsit5_btilde[7] = {
    -0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995, -0.1447110071732629,
    0.5823571654525552,      -0.45808210592918697,   0.015151515151515152};

static void tsit5(node_table *tab) {
  memset(tab, 0, sizeof *tab);
  tab->stages = 7, tab->q = 5, tab->p = 4;
  for (int i = 0; i < 7; i++) {
    tab->c[i] = tsit5_c[i];
    for (int j = 0; j < i; j++) tab->A[i][j] = tsit5_a[i][j];
  }
  for (int j = 0; j < 6; j++) tab->b[j] = tsit5_a[6][j];
  for (int j = 0; j < 7; j++) tab->d[j] = tab->b[j] - tsit5_btilde[j];
}

/* Copies one of ARKODE's ERK tables. */
static int from_arkode(ARKODE_ERKTableID id, node_table *tab) {
  ARKodeButcherTable B = ARKodeButcherTable_LoadERK(id);
  SolaceCheck(B, SOLACE_ERR_BACKEND, "ARKODE has no ERK table %d", (int)id);
  int ok = B->stages <= NODE_MAX_STAGES && B->d;
  if (ok) {
    memset(tab, 0, sizeof *tab);
    tab->stages = B->stages, tab->q = B->q, tab->p = B->p;
    for (int i = 0; i < B->stages; i++) {
      tab->c[i] = B->c[i], tab->b[i] = B->b[i], tab->d[i] = B->d[i];
      for (int j = 0; j < B->stages; j++) tab->A[i][j] = B->A[i][j];
    }
  }
  ARKodeButcherTable_Free(B);
  SolaceCheck(ok, SOLACE_ERR_BACKEND, "ARKODE table %d has no embedding or too many stages",
              (int)id);
  return SOLACE_SUCCESS;
}

int node_table_get(int method, node_table *table) {
  SolaceCheckNotNull(table);
  switch (method) {
  case SOLACE_NODE_TSIT5:
    tsit5(table);
    return SOLACE_SUCCESS;
  case SOLACE_NODE_DOPRI5:
    return from_arkode(ARKODE_DORMAND_PRINCE_7_4_5, table);
  case SOLACE_NODE_ARKODE4:
    return from_arkode((ARKODE_ERKTableID)ERKSTEP_DEFAULT_4, table);
  default:
    return solace_error_set(SOLACE_ERR_ARG, __func__,
                            "method %d is not a solace_node_method (0 tsit5, 1 dopri5, 2 arkode4)",
                            method);
  }
}
