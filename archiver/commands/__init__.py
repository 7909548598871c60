"""Scrapy commands of the project (COMMANDS_MODULE): `scrapy crawl`, checking what it is given
before any crawl starts."""
