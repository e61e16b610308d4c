/* The process floor: fork, exec and exit of a C program that links nothing but libc. */
int main(void) { return 0; }
