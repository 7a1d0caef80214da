# spank_plugin/: the Slurm SPANK plugin (built when slurm/spank.h is found).
