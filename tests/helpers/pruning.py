"""A recipe whose character trains on a turnaround set (and a scene without it), for the pruning tests."""

#: momo trains on three turnaround sheets; mina trains on nothing.
RECIPE = '''\
from zflow import Character, Series, Sheets, Train
momo = Character("momo", looks="a white dog", train=Train(images=Sheets(n=3)))
mina = Character("mina", looks="barista")
s = Series("s", prompt="{{ cast }} {{ action }}", size="192x192", drafts=1)
s.scene("dog", cast=[momo], action="runs")
s.scene("barista", cast=[mina], action="pours")
'''
#: The sheet the tests drop.
SHEET = "characters/momo/turnaround-02"
