# doc: manual pages and guides.
dist_man_MANS += doc/ibm4767-clu.1
dist_man_MANS += doc/ibm4767.7
dist_doc_DATA += doc/tls-offload.md
