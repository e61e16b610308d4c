#ifndef CYAML_H
#define CYAML_H

// libyaml's event parser, used to read the products file (config/products.yaml).
#include <yaml.h>

#endif
