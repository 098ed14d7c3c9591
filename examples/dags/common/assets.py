"""URIs of the shared data products exchanged between pipelines.

Producers declare them as outlets and consumers schedule on them; keeping
the URIs in one place stops the two sides drifting apart.
"""

ORDERS_CLEAN_URI = "s3://data-platform-lake/curated/orders_clean"
CUSTOMERS_URI = "s3://data-platform-lake/curated/customers"
